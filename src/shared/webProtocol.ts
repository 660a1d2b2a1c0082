/**
 * Browser mode's wire names, shared by the server (src/web/server.ts) and the renderer's web
 * bridge (src/renderer/src/lib/webBridge.ts). The frames themselves are:
 *   client -> server  { id, name, input, meta }        (one call)
 *   server -> client  { id, result }                    (its Result)
 *   server -> client  { event, payload }                (a core event)
 */

/** Path of the WebSocket endpoint. */
export const WS_PATH = '/api'
/** Subprotocol both sides speak; the server selects it, so the token entry is never echoed. */
export const WS_PROTOCOL = 'countersign.v1'
/** Prefix of the subprotocol entry that carries the per-launch token: `countersign.token.<hex>`. */
export const WS_TOKEN_PROTOCOL_PREFIX = 'countersign.token.'
/** Bytes of randomness in the per-launch token (sent as 2 × this many hex digits). */
export const WS_TOKEN_BYTES = 32
/** The URL fragment key that carries the token: http://127.0.0.1:PORT/#token=… */
export const WS_TOKEN_FRAGMENT_KEY = 'token'
