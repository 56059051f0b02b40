/**
 * switchboard-client.js: a small, dependency-free browser client for the Switchboard gateway
 * (WebSocket protocol `switchboard.v1`, see gateway-service/README.md; API in CLIENT.md).
 * Copy this one file into your SPA; it needs no build step.
 *
 * What it does for you: request/ack promises with timeouts, typed event listeners, connection
 * state, reconnect with exponential back-off and full jitter (and the server's `reconnect`
 * hint), re-joining ticket rooms with `since`/`epoch` after a reconnect, de-duplication of room
 * events by `event_id` and `seq`, `resync_required` handling, and token refresh.
 *
 * @module switchboard-client
 */

/** Connection states, in the order a client usually goes through them. */
export const STATES = Object.freeze(['idle', 'connecting', 'open', 'reconnecting', 'closed']);

/** An `error` answer of the server ({code, message}) or a client-side failure (TIMEOUT, DISCONNECTED, NOT_CONNECTED, CLOSED). */
export class SwitchboardError extends Error {
  /** @param {string} code @param {string} [message] */
  constructor(code, message) {
    super(message || code);
    this.name = 'SwitchboardError';
    this.code = code;
  }
}

const DEFAULTS = {
  authMode: 'subprotocol', // or 'message': always send `authenticate {token}` after opening
  requestTimeoutMs: 10000,
  backoffBaseMs: 500,
  backoffCapMs: 15000,
  stableAfterMs: 10000, // a connection open this long resets the back-off
  dedupeSize: 5000, // event ids remembered
  heartbeatMs: 30000, // client ping to notice dead connections (0: off)
  maxAuthRetries: 3, // consecutive 4401 closes before giving up
};

/**
 * @typedef {Object} ClientOptions
 * @property {string} [url] WebSocket URL; default ws(s)://<this host>/ws
 * @property {string} [token] the JWT
 * @property {() => (string|null|Promise<string|null>)} [getToken] asked for a new token on
 *   `token_expiring`, after a 4401 close, and before a reconnect when the token has expired
 * @property {'subprotocol'|'message'} [authMode]
 * @property {number} [requestTimeoutMs] @property {number} [backoffBaseMs] @property {number} [backoffCapMs]
 * @property {number} [stableAfterMs] @property {number} [dedupeSize] @property {number} [heartbeatMs]
 * @property {number} [maxAuthRetries]
 * @property {typeof WebSocket} [WebSocket] a WebSocket implementation (tests, Node)
 */

export class SwitchboardClient {
  /** @param {ClientOptions} [options] */
  constructor(options = {}) {
    this.options = { ...DEFAULTS, url: defaultUrl(), ...options };
    /** @type {string|null} */ this.token = options.token || null;
    /** @type {'idle'|'connecting'|'open'|'reconnecting'|'closed'} */ this.state = 'idle';
    /** The `connection` payload of the current connection ({user_id, user_name, session_id, roles, …}). */
    this.user = null;
    this._listeners = new Map();
    this._pending = new Map(); // request id -> {resolve, reject, timer}
    this._waiting = []; // requests made while (re)connecting, sent once open
    this._nextId = 1;
    this._rooms = new Map(); // ticket id -> {ticketId, room, seq, epoch, joining, awaitingHistory, waiters}
    this._streams = new Map(); // other rooms (user:…, role:…) -> last seq
    this._seen = new Map(); // event_id LRU (a Map keeps insertion order)
    this._ws = null;
    this._attempt = 0;
    this._authFailures = 0;
    this._handshakeFailures = 0;
    this._hintMs = null;
    this._needToken = false;
    this._timers = {};
    this._onOnline = () => {
      if (this.state === 'reconnecting' && !this._ws) this._open(); // the network is back: don't wait
    };
  }

  // ---------------------------------------------------------------- listeners

  /**
   * Listens to a server event type (`new_message`, `ticket_updated`, …), `*` (every server event),
   * or a client event (`stateChange`, `resync`, `disconnected`, `closed`, `authFailed`,
   * `tokenRefreshed`, `joinFailed`). Listeners get `(payload, frame)`.
   * @param {string} type @param {(payload: any, frame: any) => void} fn
   * @returns {() => void} unsubscribe
   */
  on(type, fn) {
    if (!this._listeners.has(type)) this._listeners.set(type, new Set());
    this._listeners.get(type).add(fn);
    return () => this.off(type, fn);
  }

  /** @param {string} type @param {Function} fn */
  off(type, fn) {
    const set = this._listeners.get(type);
    if (set) set.delete(fn);
  }

  /** Like {@link on}, called once. @returns {() => void} unsubscribe */
  once(type, fn) {
    const off = this.on(type, (payload, frame) => { off(); fn(payload, frame); });
    return off;
  }

  _emit(type, payload, frame = { type, payload }, wildcard = false) {
    const targets = [...(this._listeners.get(type) || [])];
    if (wildcard) targets.push(...(this._listeners.get('*') || []));
    for (const fn of targets) {
      try {
        fn(payload, frame);
      } catch (e) {
        setTimeout(() => { throw e; }); // report it without breaking the other listeners
      }
    }
  }

  _setState(state) {
    if (state === this.state) return;
    const previous = this.state;
    this.state = state;
    this._emit('stateChange', { state, previous });
  }

  // ---------------------------------------------------------------- connection

  /**
   * Opens the connection (reconnecting by itself from then on).
   * @returns {Promise<object>} the `connection` payload once open; rejects if it is closed for good first
   */
  connect() {
    if (this.state === 'open') return Promise.resolve(this.user);
    const done = new Promise((resolve, reject) => {
      const off = this.on('stateChange', ({ state }) => {
        if (state === 'open') { off(); resolve(this.user); }
        if (state === 'closed') { off(); reject(new SwitchboardError('CLOSED', 'the connection was closed')); }
      });
    });
    if (this.state === 'idle' || this.state === 'closed') {
      this._stopped = false;
      this._hintMs = null;
      this._attempt = this._authFailures = this._handshakeFailures = 0;
      if (globalThis.addEventListener) globalThis.addEventListener('online', this._onOnline);
      this._setState('connecting');
      this._open();
    }
    return done;
  }

  /** Closes the connection for good (no reconnect); pending requests are rejected. Joined rooms are kept for a later connect(). */
  close() {
    this._shutDown(new SwitchboardError('CLOSED', 'closed by the client'));
  }

  async _open() {
    clearTimeout(this._timers.reconnect);
    try {
      await this._ensureFreshToken();
    } catch (e) {
      // getToken failed: try with the token we have
    }
    if (this._stopped || this._ws) return;
    if (this.token && tokenExpired(this.token, 0)) {
      this._emit('authFailed', { code: 4401, reason: 'the token has expired and getToken gave no new one' });
      this._shutDown(new SwitchboardError('UNAUTHENTICATED', 'the token has expired'), { code: 4401, reason: 'token expired' });
      return;
    }
    const WS = this.options.WebSocket || globalThis.WebSocket;
    // A browser cannot tell a handshake refused with 401 from a network failure: after 3 failed
    // handshakes in a row, authenticate in-band, where a bad token gets a clear 4401.
    const inBand = this.options.authMode === 'message' || this._handshakeFailures >= 3;
    const protocols = ['switchboard.v1'];
    if (this.token && !inBand) protocols.push('bearer.' + this.token);
    let ws;
    try {
      ws = new WS(this.options.url, protocols);
    } catch (e) {
      this._afterClose(1006, String(e && e.message), false);
      return;
    }
    this._ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      if (inBand && this.token) this._sendRaw({ type: 'authenticate', payload: { token: this.token } });
    };
    ws.onmessage = (m) => { if (this._ws === ws) this._onFrame(m.data); };
    ws.onclose = (e) => { if (this._ws === ws) this._afterClose(e.code, e.reason, opened); };
    ws.onerror = () => {}; // a close event always follows
  }

  /** Drops the current socket at once (dead connection) and reconnects. */
  _drop(reason) {
    const ws = this._ws;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = null;
    try { ws.close(4000, reason); } catch (e) { /* already closing */ }
    this._afterClose(1006, reason, true);
  }

  _afterClose(code, reason, opened) {
    this._ws = null;
    this._stopTimers();
    this._failPending(new SwitchboardError('DISCONNECTED', `connection closed (${code}${reason ? ': ' + reason : ''})`));
    if (this._stopped) return;
    this._handshakeFailures = opened ? 0 : this._handshakeFailures + 1;
    if (code === 1008) {
      this._shutDown(new SwitchboardError('CLOSED', reason || 'closed by the server (policy violation)'), { code, reason });
      return;
    }
    if (code === 4401) {
      this._authFailures++;
      if (!this.options.getToken || this._authFailures > this.options.maxAuthRetries) {
        this._emit('authFailed', { code, reason });
        this._shutDown(new SwitchboardError('UNAUTHENTICATED', reason || 'the token was refused'), { code, reason });
        return;
      }
      this._needToken = true;
    }
    let delay;
    if (this._hintMs != null) {
      delay = this._hintMs; // the server said when (drain): no back-off
      this._hintMs = null;
    } else {
      const ceiling = Math.min(this.options.backoffCapMs, this.options.backoffBaseMs * 2 ** this._attempt);
      this._attempt++;
      delay = Math.floor(Math.random() * ceiling); // full jitter
    }
    this._setState('reconnecting');
    this._emit('disconnected', { code, reason, delayMs: delay });
    this._timers.reconnect = setTimeout(() => this._open(), delay);
  }

  _shutDown(error, closedEvent) {
    this._stopped = true;
    clearTimeout(this._timers.reconnect);
    this._stopTimers();
    if (globalThis.removeEventListener) globalThis.removeEventListener('online', this._onOnline);
    const ws = this._ws;
    this._ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null;
      try { ws.close(1000, 'bye'); } catch (e) { /* already closed */ }
    }
    this._failPending(error);
    for (const entry of this._waiting.splice(0)) entry.fail(error);
    for (const room of this._rooms.values()) {
      room.joining = false;
      for (const w of room.waiters.splice(0)) w.reject(error);
    }
    this._setState('closed');
    if (closedEvent) this._emit('closed', closedEvent);
  }

  _stopTimers() {
    clearTimeout(this._timers.stable);
    clearInterval(this._timers.heartbeat);
  }

  _failPending(error) {
    for (const [id, p] of this._pending) {
      clearTimeout(p.timer);
      p.reject(error);
      this._pending.delete(id);
    }
  }

  /** The socket is authenticated and in its user and role rooms: re-join the ticket rooms, send what waited. */
  _onConnected(payload) {
    this.user = payload;
    this._streams.clear(); // user:/role: rooms cannot be resumed; the app reloads on `connection`
    this._setState('open');
    this._timers.stable = setTimeout(() => {
      this._attempt = this._authFailures = this._handshakeFailures = 0;
    }, this.options.stableAfterMs);
    if (this.options.heartbeatMs > 0) {
      const ws = this._ws;
      this._timers.heartbeat = setInterval(() => {
        this._send('ping', {}, 10000).catch((e) => { if (e.code === 'TIMEOUT' && this._ws === ws) this._drop('heartbeat timeout'); });
      }, this.options.heartbeatMs);
    }
    for (const room of this._rooms.values()) this._join(room, false);
    for (const entry of this._waiting.splice(0)) entry.send();
  }

  // ---------------------------------------------------------------- frames

  _onFrame(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch (e) {
      return;
    }
    if (!frame || typeof frame.type !== 'string') return;
    const { type, id } = frame;
    const p = frame.payload || {};
    if (type === 'ack' || (type === 'error' && id != null)) {
      const pending = this._pending.get(String(id));
      if (pending) {
        this._pending.delete(String(id));
        clearTimeout(pending.timer);
        if (type === 'ack') pending.resolve(p);
        else pending.reject(new SwitchboardError(p.code || 'ERROR', p.message));
      }
      return;
    }
    const ticketId = p.ticket_id != null ? String(p.ticket_id)
      : typeof p.room === 'string' && p.room.startsWith('ticket:') ? p.room.slice(7) : null;
    const room = ticketId != null ? this._rooms.get(ticketId) : null;
    switch (type) {
      case 'connection':
        this._onConnected(p);
        break;
      case 'joined_ticket':
        if (room) {
          // recovered: the missed events follow and move seq on; otherwise start from the room's position
          if (!p.recovered || room.epoch !== p.epoch) room.seq = p.seq;
          room.epoch = p.epoch;
          room.awaitingHistory = !p.recovered;
        }
        break;
      case 'messages_history':
        if (room) room.awaitingHistory = false;
        break;
      case 'resync_required':
        this._onResync(p, room);
        break;
      case 'left_ticket':
        if (room && p.reason !== 'left') this._forget(room, new SwitchboardError('FORBIDDEN', 'access revoked'));
        break;
      case 'reconnect':
        this._hintMs = Math.max(0, Number(p.delay_ms) || 0);
        break;
      case 'token_expiring':
        if (this.options.getToken) {
          this._fetchToken()
            .then((token) => token && this.refreshToken(token))
            .catch((e) => this._emit('error', { code: e.code || 'TOKEN_REFRESH_FAILED', message: e.message }));
        }
        break;
      default:
        if (!this._accept(p)) return; // duplicate or already seen
    }
    this._emit(type, p, frame, true);
  }

  /** Room events (they carry `room`, `seq`, `event_id`): drop what is not newer than the room's last seq, or seen already. */
  _accept(p) {
    if (typeof p.seq !== 'number' || typeof p.room !== 'string' || p.event_id == null) return true;
    const room = p.room.startsWith('ticket:') ? this._rooms.get(p.room.slice(7)) : null;
    const last = room ? room.seq : this._streams.get(p.room);
    if (last != null && p.seq <= last) return false;
    if (room) room.seq = p.seq;
    else this._streams.set(p.room, p.seq);
    const key = String(p.event_id);
    if (this._seen.has(key)) return false; // the same event through another room
    this._seen.set(key, true);
    if (this._seen.size > this.options.dedupeSize) this._seen.delete(this._seen.keys().next().value);
    return true;
  }

  _onResync(p, room) {
    const seq = typeof p.seq === 'number' ? p.seq : null;
    if (room) {
      const live = !room.awaitingHistory; // in a join's answer, messages_history follows by itself
      room.seq = seq;
      room.epoch = p.epoch != null ? p.epoch : room.epoch;
      if (live && this.state === 'open') this._join(room, true);
      this._emit('resync', { ticketId: room.ticketId, room: p.room, reason: p.reason, live });
    } else if (typeof p.room === 'string') {
      this._streams.set(p.room, seq == null ? 0 : seq);
      this._emit('resync', { ticketId: null, room: p.room, reason: p.reason, live: true });
    }
  }

  // ---------------------------------------------------------------- requests

  /**
   * Sends a request and resolves with its `ack` payload; rejects with a {@link SwitchboardError}
   * on its `error` (`code`, `message`), on timeout (`TIMEOUT`) or when the connection is lost
   * (`DISCONNECTED`). While (re)connecting the request waits for the connection (within the timeout).
   * @param {string} type @param {object} [payload] @param {{timeoutMs?: number}} [opts]
   * @returns {Promise<any>}
   */
  request(type, payload = {}, { timeoutMs = this.options.requestTimeoutMs } = {}) {
    if (this.state === 'open') return this._send(type, payload, timeoutMs);
    if (this.state === 'idle' || this.state === 'closed') {
      return Promise.reject(new SwitchboardError('NOT_CONNECTED', `not connected (${this.state})`));
    }
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const entry = {
        send: () => {
          clearTimeout(timer);
          this._send(type, payload, Math.max(1000, timeoutMs - (Date.now() - started))).then(resolve, reject);
        },
        fail: (e) => { clearTimeout(timer); reject(e); },
      };
      const timer = setTimeout(() => {
        this._waiting = this._waiting.filter((w) => w !== entry);
        reject(new SwitchboardError('TIMEOUT', `${type}: not connected within ${timeoutMs} ms`));
      }, timeoutMs);
      this._waiting.push(entry);
    });
  }

  _send(type, payload, timeoutMs) {
    const id = 'c' + this._nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this._pending.delete(id);
        reject(new SwitchboardError('TIMEOUT', `${type}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this._pending.set(id, { resolve, reject, timer });
      if (!this._sendRaw({ type, id, payload })) {
        clearTimeout(timer);
        this._pending.delete(id);
        reject(new SwitchboardError('DISCONNECTED', 'the connection is not open'));
      }
    });
  }

  _sendRaw(frame) {
    const ws = this._ws;
    if (!ws || ws.readyState !== 1) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  // ---------------------------------------------------------------- tickets and chat

  /**
   * Joins a ticket room: `messages_history` follows. The room is remembered and re-joined with
   * `since`/`epoch` after every reconnect until {@link leaveTicket}.
   * @param {string} ticketId @returns {Promise<object>} the `joined_ticket` payload
   */
  joinTicket(ticketId) {
    const id = String(ticketId);
    let room = this._rooms.get(id);
    if (!room) {
      room = { ticketId: id, room: 'ticket:' + id, seq: null, epoch: null, joining: false, awaitingHistory: false, waiters: [] };
      this._rooms.set(id, room);
    }
    if (this.state === 'idle' || this.state === 'closed') {
      return Promise.reject(new SwitchboardError('NOT_CONNECTED', `not connected (${this.state})`));
    }
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      room.waiters.push(waiter);
      if (this.state === 'open' && !room.joining) this._join(room, true);
      setTimeout(() => {
        const i = room.waiters.indexOf(waiter);
        if (i >= 0) {
          room.waiters.splice(i, 1);
          reject(new SwitchboardError('TIMEOUT', `join_ticket ${id}: no answer in time`));
        }
      }, this.options.requestTimeoutMs * 2);
    });
  }

  /** @param {boolean} fresh without `since`: the latest messages come as `messages_history` */
  _join(room, fresh) {
    const payload = { ticket_id: room.ticketId };
    if (fresh) {
      room.seq = room.epoch = null;
    } else if (room.seq != null && room.epoch != null) {
      payload.since = room.seq;
      payload.epoch = room.epoch;
    }
    room.joining = true;
    this._send('join_ticket', payload, this.options.requestTimeoutMs).then((ack) => {
      room.joining = false;
      for (const w of room.waiters.splice(0)) w.resolve(ack);
    }, (error) => {
      room.joining = false;
      const waiters = room.waiters.splice(0);
      waiters.forEach((w) => w.reject(error));
      if (error.code === 'FORBIDDEN') {
        this._forget(room, error);
      } else if (error.code !== 'DISCONNECTED' && this._rooms.get(room.ticketId) === room) {
        // a service was unavailable: try again shortly (a reconnect re-joins anyway)
        this._timers['join:' + room.ticketId] = setTimeout(() => {
          if (this.state === 'open' && this._rooms.get(room.ticketId) === room && !room.joining) this._join(room, fresh);
        }, 2000 + Math.random() * 3000);
      }
      if (!waiters.length) this._emit('joinFailed', { ticketId: room.ticketId, code: error.code, message: error.message });
    });
  }

  _forget(room, error) {
    if (this._rooms.get(room.ticketId) === room) this._rooms.delete(room.ticketId);
    for (const w of room.waiters.splice(0)) w.reject(error);
  }

  /** Leaves a ticket room and forgets it. @param {string} ticketId @returns {Promise<object|null>} */
  leaveTicket(ticketId) {
    const room = this._rooms.get(String(ticketId));
    if (room) this._forget(room, new SwitchboardError('LEFT', 'left the ticket'));
    if (this.state !== 'open') return Promise.resolve(null);
    return this.request('leave_ticket', { ticket_id: String(ticketId) }).catch((e) => {
      if (e.code === 'INVALID_REQUEST') return null; // was not in it
      throw e;
    });
  }

  /** The joined ticket rooms with their last seq and epoch. @returns {{ticketId: string, room: string, seq: number|null, epoch: string|null}[]} */
  get rooms() {
    return [...this._rooms.values()].map(({ ticketId, room, seq, epoch }) => ({ ticketId, room, seq, epoch }));
  }

  /**
   * Posts a chat message; resolves with `{ticket_id, message}` (the stored message). Retrying with
   * the same `clientMsgId` never stores it twice.
   * @param {string} ticketId @param {string} text
   * @param {{clientMsgId?: string, messageType?: string, attachments?: any[], timeoutMs?: number}} [opts]
   */
  sendMessage(ticketId, text, { clientMsgId = newId(), messageType, attachments, timeoutMs } = {}) {
    const payload = { ticket_id: String(ticketId), message: text, client_msg_id: clientMsgId };
    if (messageType) payload.message_type = messageType;
    if (attachments) payload.attachments = attachments;
    return this.request('send_message', payload, { timeoutMs });
  }

  /** Tells the room you are (not) typing; not sent while disconnected (it would be stale). */
  typing(ticketId, isTyping) {
    if (this.state !== 'open') return Promise.resolve(null);
    return this.request('typing_indicator', { ticket_id: String(ticketId), is_typing: !!isTyping });
  }

  /** A read receipt up to `messageId` (`message_status_update` to the room). */
  markSeen(ticketId, messageId) {
    return this.request('message_seen', { ticket_id: String(ticketId), message_id: String(messageId) });
  }

  // ---------------------------------------------------------------- tokens

  /**
   * Replaces the token: sent in-band (`refresh_token`) when open, and used for every later connection.
   * @param {string} token @returns {Promise<object|null>} the ack (`{expires_at}`), or null when not open
   */
  refreshToken(token) {
    this.token = token;
    this._authFailures = 0;
    if (this.state !== 'open') return Promise.resolve(null);
    return this.request('refresh_token', { token }).then((ack) => {
      this._emit('tokenRefreshed', ack);
      return ack;
    });
  }

  _fetchToken() {
    if (!this.options.getToken) return Promise.resolve(null);
    if (!this._tokenPromise) {
      this._tokenPromise = Promise.resolve()
        .then(() => this.options.getToken())
        .then((token) => {
          if (token) this.token = token;
          return token || null;
        })
        .finally(() => { this._tokenPromise = null; });
    }
    return this._tokenPromise;
  }

  async _ensureFreshToken() {
    if (this._needToken || !this.token || tokenExpired(this.token)) {
      this._needToken = false;
      await this._fetchToken();
    }
  }
}

/** ws(s)://<the page's host>/ws */
function defaultUrl() {
  const loc = globalThis.location;
  if (!loc) return 'ws://localhost:8080/ws';
  return (loc.protocol === 'https:' ? 'wss://' : 'ws://') + loc.host + '/ws';
}

function newId() {
  const c = globalThis.crypto;
  if (c && c.randomUUID) return c.randomUUID();
  return 'm-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2);
}

/** Whether a JWT's `exp` has passed (or passes within `skewMs`); false when it cannot be read. */
export function tokenExpired(token, skewMs = 5000) {
  const claims = decodeJwt(token);
  return !!(claims && typeof claims.exp === 'number' && claims.exp * 1000 < Date.now() + skewMs);
}

/** The claims of a JWT (not verified: for display and expiry only), or null. @param {string} token */
export function decodeJwt(token) {
  try {
    const part = String(token).split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), '=')), (ch) => ch.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    return null;
  }
}
