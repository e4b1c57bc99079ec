module github.com/smsgw/smsgw

go 1.26

require (
	github.com/spf13/cobra v1.10.2
	github.com/warthog618/sms v0.3.0
)

require (
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/spf13/pflag v1.0.9 // indirect
)
