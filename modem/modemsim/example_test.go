package modemsim_test

import (
	"bufio"
	"fmt"
	"log"
	"strings"

	"go.bug.st/serial"

	"github.com/smsgw/smsgw/modem/modemsim"
)

// A test opens the simulated modem as the gateway opens a real one and
// talks AT to it; the simulator records what was sent and delivers MO.
func Example() {
	m, err := modemsim.New(modemsim.Options{RegistrationDelay: -1, SendDelay: -1})
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()

	port, err := serial.Open(m.Path(), &serial.Mode{BaudRate: 115200})
	if err != nil {
		log.Fatal(err)
	}
	defer port.Close()
	r := bufio.NewReader(port)
	readUntil := func(last func(string) bool) {
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				log.Fatal(err)
			}
			if line = strings.TrimSpace(line); line != "" {
				fmt.Println(line)
			}
			if last(line) {
				return
			}
		}
	}
	final := func(l string) bool { return l == "OK" || strings.Contains(l, "ERROR") }
	for _, cmd := range []string{"ATE0", "AT+CMEE=1", "AT+CSQ", "AT+CNMI=2,1,0,2,0"} {
		fmt.Fprintf(port, "%s\r", cmd)
		readUntil(final)
	}
	m.DeliverMO(modemsim.MO{Text: "Is anyone there?"})
	readUntil(func(l string) bool { return strings.HasPrefix(l, "+CMTI:") })
	// Output:
	// ATE0
	// OK
	// OK
	// +CSQ: 20,99
	// OK
	// OK
	// +CMTI: "SM",0
}
