package core

// IngestWriters is how many batchers share the accounts on PostgreSQL.
const IngestWriters = ingestWriters

// WaitingReceives is how many Receive calls wait for their batch.
func (s *Service) WaitingReceives() int64 { return s.receiving.Load() }
