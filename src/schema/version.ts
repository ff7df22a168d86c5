/** The `schemaVersion` every JSON document carries: raised on a rename or removal, kept on an addition. */
export const SCHEMA_VERSION = 1;
