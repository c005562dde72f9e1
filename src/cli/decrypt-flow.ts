// What `emekit decrypt` loads when it runs, in one piece: the EME flow and the process setting it makes.
export { decryptThroughEme } from '../client/eme-decrypt.js';
export { enableArrayBufferTransfer } from '../media/cenc/crypto-output.js';
