//go:build race

package pdu_test

// raceEnabled: the race detector changes what allocates.
const raceEnabled = true
