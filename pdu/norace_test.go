//go:build !race

package pdu_test

const raceEnabled = false
