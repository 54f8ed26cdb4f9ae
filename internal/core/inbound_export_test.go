package core

// IngestWriters is how many batchers share the accounts on PostgreSQL.
const IngestWriters = ingestWriters
