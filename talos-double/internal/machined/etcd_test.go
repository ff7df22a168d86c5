package machined

import "testing"

func TestStorageVersionIsMadeUpBeforeEtcd36(t *testing.T) {
	cases := []struct{ storage, server, want string }{
		{"3.6.0", "3.6.12", "3.6.0"},
		{"", "3.5.21", "3.5.0"},
		{"", "3.4.23", "3.4.0"},
		{"", "garbage", "unknown"},
	}
	for _, c := range cases {
		if got := StorageVersion(c.storage, c.server); got != c.want {
			t.Errorf("StorageVersion(%q, %q) = %q, want %q", c.storage, c.server, got, c.want)
		}
	}
}
