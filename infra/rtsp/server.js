// A local RTSP server for tests: `node server.js PUBLISH_PORT PLAY_PORT RTP_PORT_START`.
// Cameras publish (ANNOUNCE/RECORD) to PUBLISH_PORT, readers play from PLAY_PORT; RTP
// goes over UDP ports from RTP_PORT_START. Needs NODE_PATH=<prefix>/node_modules
// (`rva stack fetch rtsp-server` installs the package there).
const RtspServer = require('rtsp-streaming-server').default;

const [serverPort, clientPort, rtpPortStart] = process.argv.slice(2, 5).map(Number);
const server = new RtspServer({ serverPort, clientPort, rtpPortStart, rtpPortCount: 200 });
server.start()
  .then(() => console.log(`ready publish=${serverPort} play=${clientPort}`))
  .catch((err) => { console.error(`rtsp server: ${err}`); process.exit(1); });
