package spool

import "strings"

// StripReceiptText returns a delivery receipt's text without its "text:"
// field. SMSCs end the standard receipt ("id:… stat:DELIVRD err:000
// text:Shelter at Lincoln H") with the first 20 characters of the
// message. Reports go into reasons, timelines, status webhooks and the
// audit trail, which never hold a message's content: it stays in the
// body alone, where retention removes it.
func StripReceiptText(s string) string {
	if i := indexFoldASCII(s, "text:"); i >= 0 {
		return strings.TrimRight(s[:i], " ")
	}
	return s
}

// indexFoldASCII is the index in s of the first instance of sub (ASCII),
// ignoring case, or -1. It is found in s itself: an index into a
// lower-cased copy is not one into s (invalid UTF-8 and some letters
// change length), and slicing with it panicked on a carrier's odd
// receipt.
func indexFoldASCII(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}
