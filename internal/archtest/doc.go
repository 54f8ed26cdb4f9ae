// Package archtest holds the tests that keep the package map true: channel
// adapters change and read state only through core, and only the store and
// core open write transactions. It has no code of its own; see its tests and
// docs/ARCHITECTURE.md.
package archtest
