// An upstream application on the npm package `smpp` (a third-party SMPP
// implementation), driven by TestInteropNpmESME: it binds to our server,
// submits a message, a two-part message and a data_sm, and prints every
// event as a JSON line. It exits after 20 s at the latest.
const smpp = require('smpp');
const [host, port] = process.argv.slice(2);
const out = (o) => console.log(JSON.stringify(o));
const session = smpp.connect({ url: `smpp://${host}:${port}`, auto_enquire_link_period: 10000 });
session.on('error', (e) => { out({ event: 'error', error: String(e) }); process.exit(2); });
// text is what an application reads: short_message, or the
// message_payload TLV (raw octets here) decoded by data_coding.
const text = (pdu) => {
  let mp = pdu.message_payload;
  if (mp === undefined) {
    const sm = pdu.short_message || {};
    return String(sm.message === undefined ? sm : sm.message);
  }
  if (mp.message !== undefined) mp = mp.message;
  if (!Buffer.isBuffer(mp)) return String(mp);
  return pdu.data_coding === 8 ? Buffer.from(mp).swap16().toString('utf16le') : mp.toString('latin1');
};
session.on('deliver_sm', (pdu) => {
  session.send(pdu.response());
  out({ event: 'deliver_sm', esm_class: pdu.esm_class, text: text(pdu), sm_length: pdu.sm_length,
        payload: pdu.message_payload !== undefined, receipted: pdu.receipted_message_id, state: pdu.message_state });
});
session.bind_transceiver({ system_id: 'cad', password: 's3cret' }, (pdu) => {
  out({ event: 'bind', status: pdu.command_status });
  if (pdu.command_status !== 0) { process.exit(3); }
  session.submit_sm({ destination_addr: '13195550123', dest_addr_ton: 1, dest_addr_npi: 1,
                      short_message: 'Hello from node: a@b $5 _1', registered_delivery: 1 }, (r) => {
    out({ event: 'submit', status: r.command_status, id: r.message_id });
    const part = (seq, text, cb) => session.submit_sm({ destination_addr: '13195550123', dest_addr_ton: 1,
      esm_class: 0x40, short_message: { udh: Buffer.from([5, 0, 3, 0x42, 2, seq]), message: text } }, cb);
    part(1, 'Long message, part one. ', (r1) => {
      out({ event: 'submit_part', status: r1.command_status, id: r1.message_id });
      part(2, 'And part two.', (r2) => {
        out({ event: 'submit_part', status: r2.command_status, id: r2.message_id });
        session.data_sm({ destination_addr: '13195550123', dest_addr_ton: 1, dest_addr_npi: 1,
                          registered_delivery: 1, message_payload: 'data_sm from node: a@b' }, (r3) => {
          out({ event: 'data_sm', status: r3.command_status, id: r3.message_id });
        });
      });
    });
  });
});
setTimeout(() => process.exit(0), 20000);
