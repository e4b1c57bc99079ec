// A carrier SMSC on the npm package `smpp` (a third-party SMPP
// implementation), driven by TestInteropNpmSMSC: it accepts a
// transceiver bind, answers each submit_sm with a hex id, sends a
// delivery receipt for it, and sends one MO after the bind. It prints
// its port and every event as JSON lines, and exits after 20 s.
const smpp = require('smpp');
const out = (o) => console.log(JSON.stringify(o));
let next = 0x1a2b;
const server = smpp.createServer((session) => {
  session.on('bind_transceiver', (pdu) => {
    out({ event: 'bind', system_id: pdu.system_id });
    session.send(pdu.response());
    session.deliver_sm({ source_addr: '13195550199', destination_addr: '13195550100', short_message: 'MO from node' });
  });
  session.on('enquire_link', (pdu) => session.send(pdu.response()));
  session.on('unbind', (pdu) => session.send(pdu.response()));
  session.on('submit_sm', (pdu) => {
    const id = (next++).toString(16).toUpperCase();
    session.send(pdu.response({ message_id: id }));
    const sm = pdu.short_message || {};
    out({ event: 'submit', id: id, to: pdu.destination_addr, esm_class: pdu.esm_class,
          text: String(sm.message === undefined ? sm : sm.message) });
    setTimeout(() => session.deliver_sm({ source_addr: pdu.destination_addr, destination_addr: pdu.source_addr, esm_class: 4,
      short_message: `id:${parseInt(id, 16)} sub:001 dlvrd:001 submit date:2611221000 done date:2611221001 stat:DELIVRD err:000 text:`,
      receipted_message_id: id, message_state: 2 }), 20);
  });
});
server.listen(0, '127.0.0.1', () => out({ event: 'listening', port: server.address().port }));
setTimeout(() => process.exit(0), 20000);
