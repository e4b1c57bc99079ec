package cmd

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/smsgw/smsgw/modem"
)

func newModemCmd() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "modem",
		Short: "Find, probe and talk to USB modems",
		Long: `Find, probe and talk to USB modems.

These open the port directly: stop the gateway (or pick a port it does not
use) first, since a modem port serves one program at a time.`,
	}
	c.PersistentFlags().BoolVar(&asJSON, "json", false, "print JSON")

	list := &cobra.Command{
		Use:   "list",
		Short: "Serial ports with USB VID/PID, serial number, interface and stable by-id link",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			ports, err := modem.ListPorts()
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.OutOrStdout(), ports)
			}
			w := table(c.OutOrStdout())
			fmt.Fprintln(w, "PORT\tVID:PID\tSERIAL\tIF\tBY-ID")
			for _, p := range ports {
				id := "-"
				if p.USB {
					id = p.VID + ":" + p.PID
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", p.Name, id, dash(p.Serial), dash(p.Interface), dash(p.ByID))
			}
			return w.Flush()
		},
	}

	var port string
	var timeout time.Duration
	var force bool
	probe := &cobra.Command{
		Use:     "probe",
		Short:   "Identity, SIM, signal, registration, operator and SMSC of the modem on a port",
		Example: "  smsgw modem probe --port /dev/serial/by-id/usb-Quectel_EC25-if02-port0",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := portFree(port, force); err != nil {
				return err
			}
			r, err := modem.Probe(port, timeout)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(c.OutOrStdout(), r)
			}
			w := table(c.OutOrStdout())
			signal := "unknown"
			if r.SignalDBm != 0 {
				signal = fmt.Sprintf("%d dBm", r.SignalDBm)
			}
			for _, row := range [][2]string{{"port", r.Port}, {"manufacturer", r.Manufacturer}, {"model", r.Model},
				{"firmware", r.Firmware}, {"imei", r.IMEI}, {"sim", r.SIM}, {"imsi", dash(r.IMSI)}, {"iccid", dash(r.ICCID)},
				{"signal", signal}, {"registration", r.RegText}, {"operator", dash(r.Operator)}, {"smsc", dash(r.SMSC)}} {
				fmt.Fprintf(w, "%s:\t%s\n", row[0], row[1])
			}
			return w.Flush()
		},
	}
	raw := &cobra.Command{
		Use:     "at CMD",
		Short:   "Send one raw AT command and print the answer",
		Example: "  smsgw modem at --port /dev/ttyUSB2 AT+CSQ",
		Args:    usageArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			if err := portFree(port, force); err != nil {
				return err
			}
			info, err := modem.Command(port, args[0], timeout)
			for _, l := range info {
				fmt.Fprintln(c.OutOrStdout(), l)
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(c.OutOrStdout(), "OK")
			return nil
		},
	}
	for _, sub := range []*cobra.Command{probe, raw} {
		sub.Flags().StringVar(&port, "port", "", "device path or tcp://host:port")
		sub.Flags().DurationVar(&timeout, "timeout", 5*time.Second, "per command")
		sub.Flags().BoolVar(&force, "force", false, "use the port even if another process (the running gateway) has it open")
		_ = sub.MarkFlagRequired("port")
	}
	c.AddCommand(list, probe, raw)
	return c
}

// portFree refuses a port another process has open, unless force.
func portFree(port string, force bool) error {
	if force {
		return nil
	}
	if err := modem.PortInUse(port); err != nil {
		return withCode(ExitFailure, err)
	}
	return nil
}
