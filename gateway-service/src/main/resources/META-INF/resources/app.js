// The Switchboard demo page: sign in as a demo user, a live ticket list, a ticket's chat with
// typing, presence and seen receipts, a notification bell, and the connection state. Plain DOM,
// no build step; every piece of user data goes in through textContent.
import { SwitchboardClient, decodeJwt } from './switchboard-client.js';

const SESSION_KEY = 'switchboard.demo.session';
const TICKET_KEY = 'switchboard.demo.ticket';
const STAFF = ['agent', 'admin'];
const STATUSES = ['OPEN', 'IN_PROGRESS', 'WAITING_ON_CUSTOMER', 'RESOLVED', 'CLOSED'];
/** ticket-service's state machine (ticket-service/README.md). */
const TRANSITIONS = {
  OPEN: ['IN_PROGRESS', 'WAITING_ON_CUSTOMER', 'RESOLVED', 'CLOSED'],
  IN_PROGRESS: ['OPEN', 'WAITING_ON_CUSTOMER', 'RESOLVED', 'CLOSED'],
  WAITING_ON_CUSTOMER: ['OPEN', 'IN_PROGRESS', 'RESOLVED', 'CLOSED'],
  RESOLVED: ['OPEN', 'CLOSED'],
  CLOSED: ['OPEN'],
};
const TYPING_SHOWN_MS = 6000;
const TYPING_RENEW_MS = 3000;
const TYPING_IDLE_MS = 4000;

const $ = (id) => document.getElementById(id);

const app = {
  session: null, // {token, expiresAt, user: {id, name, roles, username}, services, devLogin}
  client: null,
  me: null, // {id, name, roles}
  demoUsers: [],
  names: new Map(), // user id -> display name
  tickets: new Map(), // id -> ticket
  ticketEls: new Map(), // id -> <li>
  current: null, // the open ticket's state
  notifications: [],
  unread: 0,
  connectedOnce: false,
  typing: { sentAt: 0, idleTimer: null },
};

// ------------------------------------------------------------------ helpers

/** Creates an element; `text` goes in as textContent, `on*` are listeners, the rest attributes. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key === 'text') el.textContent = value;
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) if (child != null) el.append(child);
  return el;
}

let toastTimer;
/** A short message in the status line; errors stay a little longer. */
function toast(message, kind = 'info') {
  const el = $('toast');
  el.textContent = message;
  el.className = 'toast ' + kind;
  el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, kind === 'error' ? 8000 : 4000);
}

function errorText(e) {
  if (!e) return 'unknown error';
  return e.code && e.code !== 'ERROR' ? `${e.message} (${e.code})` : e.message || String(e);
}

const isStaff = () => !!app.me && app.me.roles.some((r) => STAFF.includes(r));
const nameOf = (id) => (id == null ? '—' : app.names.get(id) || id);
const remember = (id, name) => { if (id != null && name) app.names.set(String(id), name); };
const humanStatus = (s) => (s || '').toLowerCase().replace(/_/g, ' ');
const formatTime = (iso) => {
  const d = new Date(iso);
  return isNaN(d) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
};

/** Puts `els` into `parent` in this order, moving only what is out of place. */
function reorder(parent, els) {
  let prev = null;
  for (const el of els) {
    const expected = prev ? prev.nextSibling : parent.firstChild;
    if (expected !== el) parent.insertBefore(el, expected);
    prev = el;
  }
  while (prev && prev.nextSibling) prev.nextSibling.remove();
  if (!prev) parent.replaceChildren();
}

/**
 * chat-service serves message text as sanitised HTML (chat-service/README.md). It is parsed in an
 * inert document and only plain formatting and http(s)/mailto links are copied over, element by
 * element: never through innerHTML.
 */
const ALLOWED_TAGS = new Set(['B', 'STRONG', 'I', 'EM', 'U', 'S', 'CODE', 'PRE', 'BR', 'P', 'UL', 'OL', 'LI',
  'BLOCKQUOTE', 'A', 'SPAN', 'SUB', 'SUP']);
const DROPPED_TAGS = new Set(['SCRIPT', 'STYLE', 'TEMPLATE', 'IFRAME', 'OBJECT', 'NOSCRIPT']);
function renderRichText(html, into) {
  const doc = new DOMParser().parseFromString(String(html ?? ''), 'text/html');
  copyNodes(doc.body, into);
}
function copyNodes(from, to) {
  for (const node of from.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      to.append(node.textContent);
    } else if (node.nodeType === Node.ELEMENT_NODE && !DROPPED_TAGS.has(node.tagName)) {
      if (!ALLOWED_TAGS.has(node.tagName)) {
        copyNodes(node, to);
        continue;
      }
      const el = document.createElement(node.tagName.toLowerCase());
      if (node.tagName === 'A') {
        const href = node.getAttribute('href') || '';
        if (/^(https?:|mailto:)/i.test(href)) {
          el.href = href;
          el.target = '_blank';
          el.rel = 'noopener noreferrer nofollow';
        }
      }
      copyNodes(node, el);
      to.append(el);
    }
  }
}

// ------------------------------------------------------------------ REST

/** A call to one of the services' REST APIs with the user's token; throws with the problem's detail. */
async function api(service, path, { method = 'GET', body } = {}) {
  const base = String(app.session.services[service] || '').replace(/\/+$/, '');
  const headers = { Accept: 'application/json', Authorization: 'Bearer ' + app.session.token };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(base + '/api/v1' + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new Error(`${service}-service is not reachable (${base})`);
  }
  if (res.ok) return res.status === 204 ? null : res.json();
  let detail = `${res.status} ${res.statusText}`;
  try {
    const problem = await res.json();
    detail = problem.detail || problem.title || detail;
    if (Array.isArray(problem.errors) && problem.errors.length) {
      detail += ': ' + problem.errors.map((e) => `${e.field} ${e.message}`).join(', ');
    }
    if (Array.isArray(problem.allowed)) detail += ` (allowed: ${problem.allowed.join(', ') || 'none'})`;
  } catch (e) {
    // not a problem document
  }
  if (res.status === 401) detail = 'your session has expired; sign in again';
  throw new Error(detail);
}

// ------------------------------------------------------------------ sign-in

function loadSession() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
  } catch (e) {
    return null;
  }
}
const saveSession = () => sessionStorage.setItem(SESSION_KEY, JSON.stringify(app.session));

async function fetchDemoUsers() {
  const res = await fetch('/api/v1/dev/users', { headers: { Accept: 'application/json' } });
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
  return res.json();
}

async function devLogin(username) {
  const res = await fetch('/api/v1/dev/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ username }),
  });
  if (!res.ok) throw new Error(`dev login failed: ${res.status} ${res.statusText}`);
  return res.json();
}

async function showSignIn() {
  $('sign-in').hidden = false;
  $('workspace').hidden = true;
  $('account').hidden = true;
  const note = $('dev-users-note');
  const list = $('user-options');
  list.replaceChildren();
  const host = `${location.protocol}//${location.hostname}`;
  for (const [service, port] of [['ticket', 8081], ['chat', 8082], ['notification', 8083]]) {
    const input = $('url-' + service);
    if (!input.value) input.value = `${host}:${port}`;
  }
  let users;
  try {
    users = await fetchDemoUsers();
  } catch (e) {
    note.textContent = `Could not load the demo users (${e.message}). Paste a token below.`;
    return;
  }
  if (!users) {
    note.textContent = 'The dev login is not enabled on this gateway: paste a token below.';
    return;
  }
  app.demoUsers = users;
  note.textContent = 'Choose a demo user:';
  for (const user of users) {
    const roles = (user.roles || []).join(', ');
    list.append(h('li', {}, h('button', {
      type: 'button', class: 'user-option', 'data-testid': 'user-option', 'data-username': user.username,
      'aria-label': `Sign in as ${user.name} (${roles})`,
      onclick: (e) => signInAs(user.username, e.currentTarget),
    }, h('strong', { text: user.name }), ' ', h('span', { class: 'roles', text: roles }),
    h('small', { text: user.description || '' }))));
  }
}

async function signInAs(username, button) {
  if (button) button.disabled = true;
  try {
    const data = await devLogin(username);
    app.session = {
      token: data.token, expiresAt: data.expires_at, services: data.services, devLogin: true,
      user: { ...data.user, username },
    };
    saveSession();
    startApp();
  } catch (e) {
    toast(e.message, 'error');
  } finally {
    if (button) button.disabled = false;
  }
}

function signInWithToken(event) {
  event.preventDefault();
  const token = $('token-input').value.trim();
  const claims = decodeJwt(token);
  if (!claims || !claims.sub) {
    toast('That is not a JWT (header.payload.signature) with a subject', 'error');
    return;
  }
  app.session = {
    token, expiresAt: claims.exp ? new Date(claims.exp * 1000).toISOString() : null, devLogin: false,
    user: { id: claims.sub, name: claims.name || claims.preferred_username || claims.sub, roles: claims.groups || [] },
    services: { ticket: $('url-ticket').value, chat: $('url-chat').value, notification: $('url-notification').value },
  };
  saveSession();
  startApp();
}

/** The client's getToken: a fresh token from the dev login (null when signed in with a pasted token). */
async function renewToken() {
  const s = app.session;
  if (!s || !s.devLogin || !s.user.username) return null;
  const data = await devLogin(s.user.username);
  s.token = data.token;
  s.expiresAt = data.expires_at;
  saveSession();
  return data.token;
}

function signOut() {
  const client = app.client;
  app.client = null;
  if (client) client.close();
  closeTicket();
  sessionStorage.removeItem(SESSION_KEY);
  sessionStorage.removeItem(TICKET_KEY);
  Object.assign(app, { session: null, me: null, notifications: [], unread: 0, connectedOnce: false });
  app.tickets.clear();
  app.ticketEls.clear();
  $('ticket-list').replaceChildren();
  $('notification-list').replaceChildren();
  togglePanel(false);
  renderUnread();
  renderState('idle');
  showSignIn();
}

// ------------------------------------------------------------------ the signed-in app

function startApp() {
  const { user } = app.session;
  app.me = { id: user.id, name: user.name, roles: user.roles || [] };
  remember(user.id, user.name);
  for (const u of app.demoUsers) remember(u.id, u.name);
  if (app.session.devLogin && !app.demoUsers.length) {
    fetchDemoUsers().then((users) => {
      app.demoUsers = users || [];
      app.demoUsers.forEach((u) => remember(u.id, u.name));
      renderTicketHeader();
    }).catch(() => {});
  }
  $('sign-in').hidden = true;
  $('workspace').hidden = false;
  $('account').hidden = false;
  $('current-user').textContent = user.name;
  $('current-roles').textContent = `(${app.me.roles.join(', ') || 'no role'})`;
  renderTickets();
  renderUnread();

  const client = new SwitchboardClient({
    token: app.session.token,
    getToken: app.session.devLogin ? renewToken : undefined,
  });
  app.client = client;
  wire(client);
  client.connect().catch(() => {}); // failures are shown by the 'closed' / 'authFailed' handlers
}

/** Every listener the page puts on a client; a signed-out client's late events are ignored. */
function wire(client) {
  const on = (type, fn) => client.on(type, (payload, frame) => { if (app.client === client) fn(payload, frame); });

  on('stateChange', ({ state }) => renderState(state));
  on('connection', onConnected);
  on('disconnected', ({ code, delayMs }) => {
    document.querySelector('[data-testid="connection-state"]').title =
      `connection lost (${code}); reconnecting in ${(delayMs / 1000).toFixed(1)} s`;
    if (app.current) {
      app.current.typers.forEach((t) => clearTimeout(t.timer));
      app.current.typers.clear();
      renderTyping();
    }
  });
  on('closed', ({ code, reason }) => toast(`Disconnected for good (${code}${reason ? ': ' + reason : ''}). Use Reconnect or sign in again.`, 'error'));
  on('authFailed', () => toast('Your token was refused or has expired: sign in again.', 'error'));
  on('error', (p) => toast(`${p.message || 'error'} (${p.code || 'ERROR'})`, 'error'));
  on('joinFailed', ({ ticketId, code, message }) => {
    toast(`Could not re-join ticket ${ticketNumber(ticketId)}: ${message}`, 'error');
    if (code === 'FORBIDDEN' && app.current && app.current.id === String(ticketId)) closeTicket();
  });
  on('tokenRefreshed', () => toast('Session renewed.'));
  on('resync', ({ ticketId }) => {
    if (!ticketId) {
      loadTickets();
      loadNotifications();
    } else if (app.current && app.current.id === ticketId) {
      toast('The ticket was re-synchronised: its latest messages were reloaded.');
    }
  });

  // tickets (role:agent / role:admin / user:{participant} / ticket:{id})
  on('ticket_created', (p) => upsertTicket({ ...p.ticket, description: p.description }));
  on('ticket_updated', (p) => upsertTicket(p.ticket));
  on('ticket_status_update', (p) => upsertTicket(p.ticket));
  on('ticket_assigned', (p) => upsertTicket(p.ticket));
  on('ticket_assigned_to_you', (p) => {
    upsertTicket(p.ticket);
    const t = app.tickets.get(String(p.ticket_id));
    if (!p.actor || p.actor.id !== app.me.id) toast(`Ticket ${t ? t.number : ''} was assigned to you.`);
  });

  // the open ticket's room
  on('joined_ticket', onJoined);
  on('left_ticket', onLeft);
  on('messages_history', onHistory);
  on('new_message', (p) => forCurrent(p, (cur) => {
    addMessages(cur, [p.message]);
    const typer = cur.typers.get(p.message && p.message.author_id);
    if (typer) { clearTimeout(typer.timer); cur.typers.delete(p.message.author_id); renderTyping(); }
  }));
  on('message_updated', (p) => forCurrent(p, (cur) => addMessages(cur, [p.message])));
  on('message_deleted', (p) => forCurrent(p, (cur) => {
    const m = cur.messages.get(String(p.message_id));
    if (m) addMessages(cur, [{ ...m, deleted: true, message: '' }]);
  }));
  on('message_status_update', (p) => forCurrent(p, (cur) => {
    if (p.status === 'seen' && p.user_id != null) {
      cur.receipts.set(String(p.user_id), String(p.message_id));
      renderSeen();
    }
  }));
  on('typing_indicator', onTyping);
  on('user_joined', (p) => forCurrent(p, (cur) => {
    remember(p.user_id, p.user_name);
    cur.online.set(String(p.user_id), { name: p.user_name, status: p.status || 'online' });
    renderOnline();
  }));
  on('user_left', (p) => forCurrent(p, (cur) => { cur.online.delete(String(p.user_id)); renderOnline(); }));
  on('online_users', (p) => forCurrent(p, (cur) => setOnline(cur, p.users)));
  on('presence_update', (p) => {
    remember(p.user_id, p.user_name);
    const entry = app.current && app.current.online.get(String(p.user_id));
    if (entry) { entry.status = p.status; renderOnline(); }
  });
  on('user_offline', (p) => {
    if (app.current && app.current.online.delete(String(p.user_id))) renderOnline();
  });

  // notifications (user:{id})
  on('notification', (p) => {
    const n = p.notification;
    if (!n) return;
    app.notifications = [n, ...app.notifications.filter((x) => x.id !== n.id)].slice(0, 50);
    renderNotifications();
  });
  on('notification_count', (p) => setUnread(p.unread));
}

function renderState(state) {
  const badge = document.querySelector('[data-testid="connection-state"]');
  badge.textContent = state;
  badge.dataset.state = state;
  if (state === 'open') badge.title = 'connected';
  $('reconnect').hidden = state !== 'closed' || !app.client;
}

function onConnected(p) {
  app.me = { id: String(p.user_id), name: p.user_name, roles: p.roles || app.me.roles };
  remember(app.me.id, app.me.name);
  const first = !app.connectedOnce;
  app.connectedOnce = true;
  // user:/role: rooms cannot be resumed: reload what they feed (the open ticket is re-joined by the client)
  loadTickets().then(() => {
    const saved = sessionStorage.getItem(TICKET_KEY);
    if (first && saved && !app.current) openTicket(saved);
  });
  loadNotifications();
  if (!first) toast('Reconnected.');
}

// ------------------------------------------------------------------ ticket list

async function loadTickets() {
  try {
    const page = await app.client.request('list_tickets', { limit: 100 });
    (page.items || []).forEach((t) => upsertTicket(t, false));
    renderTickets();
  } catch (e) {
    toast('Could not load the tickets: ' + errorText(e), 'error');
  }
}

const ticketNumber = (id) => { const t = app.tickets.get(String(id)); return t ? t.number : id; };

/** Takes a ticket snapshot unless an older version; a customer who is no longer a participant loses it. */
function upsertTicket(ticket, render = true) {
  if (!ticket || ticket.id == null) return;
  const id = String(ticket.id);
  const old = app.tickets.get(id);
  if (old && typeof old.version === 'number' && typeof ticket.version === 'number' && ticket.version < old.version) return;
  const merged = { ...old, ...ticket };
  if (merged.description == null && old) merged.description = old.description;
  const mine = [merged.requester_id, merged.assignee_id, ...(merged.watcher_ids || [])].map(String).includes(app.me.id);
  if (!isStaff() && !mine && Array.isArray(merged.watcher_ids)) app.tickets.delete(id);
  else app.tickets.set(id, merged);
  if (render) renderTickets();
  if (app.current && app.current.id === id) renderTicketHeader();
}

function renderTickets() {
  const list = $('ticket-list');
  const tickets = [...app.tickets.values()].sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
  const els = tickets.map((t) => {
    const id = String(t.id);
    let li = app.ticketEls.get(id);
    if (!li) {
      li = h('li', { class: 'ticket-item', 'data-testid': 'ticket-item', 'data-ticket-id': id },
        h('button', { type: 'button', class: 'ticket-link' },
          h('span', { class: 'num' }), h('span', { class: 'title', 'data-testid': 'ticket-title' }),
          h('span', { class: 'status', 'data-testid': 'ticket-status' }),
          h('span', { class: 'assignee muted' })));
      app.ticketEls.set(id, li);
    }
    li.querySelector('.num').textContent = t.number || '';
    li.querySelector('.title').textContent = t.title || '(untitled)';
    const status = li.querySelector('.status');
    status.textContent = t.status;
    status.dataset.status = t.status;
    li.querySelector('.assignee').textContent = t.assignee_id ? '→ ' + nameOf(t.assignee_id) : 'unassigned';
    const selected = !!app.current && app.current.id === id;
    li.classList.toggle('selected', selected);
    li.querySelector('button').setAttribute('aria-current', selected ? 'true' : 'false');
    return li;
  });
  for (const [id, li] of app.ticketEls) if (!app.tickets.has(id)) { li.remove(); app.ticketEls.delete(id); }
  reorder(list, els);
  $('ticket-empty').hidden = tickets.length > 0;
  $('ticket-count').textContent = tickets.length ? `(${tickets.length})` : '';
}

async function createTicket(event) {
  event.preventDefault();
  const title = $('new-ticket-title').value.trim();
  const description = $('new-ticket-description').value.trim();
  if (!title) {
    toast('A ticket needs a title.', 'error');
    return;
  }
  const button = document.querySelector('[data-testid="new-ticket-submit"]');
  button.disabled = true;
  try {
    const ticket = await api('ticket', '/tickets', { method: 'POST', body: { title, description, priority: 'NORMAL' } });
    upsertTicket(ticket);
    $('new-ticket').reset();
    toast(`Ticket ${ticket.number} created.`);
  } catch (e) {
    toast('Could not create the ticket: ' + e.message, 'error');
  } finally {
    button.disabled = false;
  }
}

// ------------------------------------------------------------------ ticket view

async function openTicket(ticketId) {
  const id = String(ticketId);
  if (app.current && app.current.id === id) return;
  closeTicket();
  app.current = {
    id, messages: new Map(), els: new Map(), online: new Map(), typers: new Map(), receipts: new Map(),
    lastMarked: null, nextBefore: null, hasMore: false,
  };
  sessionStorage.setItem(TICKET_KEY, id);
  $('no-ticket').hidden = true;
  const view = $('ticket-view');
  view.hidden = false;
  view.dataset.ticketId = id;
  $('chat-messages').replaceChildren();
  renderTicketHeader();
  renderMessages();
  renderOnline();
  renderTyping();
  renderTickets();
  try {
    await app.client.joinTicket(id);
  } catch (e) {
    if (!app.current || app.current.id !== id) return;
    if (e.code === 'FORBIDDEN') {
      toast('You cannot open this ticket.', 'error');
      closeTicket();
    } else {
      toast('Could not join the ticket: ' + errorText(e), 'error');
    }
    return;
  }
  app.client.request('get_ticket', { ticket_id: id })
    .then((t) => upsertTicket(t))
    .catch(() => {}); // the list already has the snapshot
}

function closeTicket() {
  const cur = app.current;
  if (!cur) return;
  stopTyping();
  cur.typers.forEach((t) => clearTimeout(t.timer));
  app.current = null;
  sessionStorage.removeItem(TICKET_KEY);
  if (app.client) app.client.leaveTicket(cur.id).catch(() => {});
  $('ticket-view').hidden = true;
  $('ticket-view').removeAttribute('data-ticket-id');
  $('no-ticket').hidden = false;
  renderTickets();
}

/** Runs `fn` when the event is about the open ticket. */
function forCurrent(p, fn) {
  if (app.current && p && String(p.ticket_id) === app.current.id) fn(app.current);
}

function onJoined(p) {
  forCurrent(p, (cur) => setOnline(cur, p.online_users));
}

function onLeft(p) {
  if (p.reason === 'access_revoked') {
    toast(`You no longer have access to ticket ${ticketNumber(p.ticket_id)}.`, 'error');
    if (!isStaff()) {
      app.tickets.delete(String(p.ticket_id));
      renderTickets();
    }
    forCurrent(p, () => closeTicket());
  }
}

function onHistory(p) {
  forCurrent(p, (cur) => {
    cur.messages.clear();
    cur.els.forEach((el) => el.remove());
    cur.els.clear();
    cur.nextBefore = p.next_before || null;
    cur.hasMore = !!p.has_more;
    addMessages(cur, p.messages || [], true);
  });
}

function renderTicketHeader() {
  const cur = app.current;
  if (!cur) return;
  const t = app.tickets.get(cur.id) || {};
  $('tv-number').textContent = t.number || '';
  $('tv-title').textContent = t.title || 'Loading…';
  const status = $('tv-status');
  status.textContent = t.status ? humanStatus(t.status) : '';
  status.dataset.status = t.status || '';
  $('tv-requester').textContent = nameOf(t.requester_id);
  $('tv-assignee').textContent = t.assignee_id ? nameOf(t.assignee_id) : 'nobody';
  $('tv-description').textContent = t.description || '';
  $('tv-description').hidden = !t.description;
  const controls = $('agent-controls');
  controls.hidden = !isStaff();
  if (!isStaff() || !t.status) return;

  const select = $('status-select');
  const options = [t.status, ...(TRANSITIONS[t.status] || [])];
  select.replaceChildren(...options.map((s) => h('option', { value: s, text: humanStatus(s) + (s === t.status ? ' (current)' : '') })));
  select.value = t.status;

  $('assign-me').disabled = String(t.assignee_id) === app.me.id;
  const assignee = $('assignee-select');
  const staff = new Map(app.demoUsers.filter((u) => u.id && (u.roles || []).some((r) => STAFF.includes(r))).map((u) => [String(u.id), u.name]));
  staff.set(app.me.id, app.me.name);
  if (t.assignee_id) staff.set(String(t.assignee_id), nameOf(t.assignee_id));
  assignee.replaceChildren(h('option', { value: '', text: 'Unassigned' }),
    ...[...staff].map(([id, name]) => h('option', { value: id, text: name })));
  assignee.value = t.assignee_id ? String(t.assignee_id) : '';
}

async function changeStatus() {
  const cur = app.current;
  const status = $('status-select').value;
  const t = cur && app.tickets.get(cur.id);
  if (!t || status === t.status) return;
  try {
    upsertTicket(await api('ticket', `/tickets/${encodeURIComponent(cur.id)}/status`, { method: 'POST', body: { status } }));
    toast(`Status changed to ${humanStatus(status)}.`);
  } catch (e) {
    toast('Could not change the status: ' + e.message, 'error');
    renderTicketHeader();
  }
}

async function assign(assigneeId) {
  const cur = app.current;
  if (!cur) return;
  try {
    const t = await api('ticket', `/tickets/${encodeURIComponent(cur.id)}/assignee`, { method: 'POST', body: { assignee_id: assigneeId } });
    upsertTicket(t);
    toast(assigneeId ? `Assigned to ${nameOf(assigneeId)}.` : 'Unassigned.');
  } catch (e) {
    toast('Could not assign the ticket: ' + e.message, 'error');
    renderTicketHeader();
  }
}

// ------------------------------------------------------------------ chat

const byTime = (a, b) => String(a.created_at).localeCompare(String(b.created_at)) || String(a.id).localeCompare(String(b.id));

function addMessages(cur, messages, scrollToEnd = false) {
  const box = $('chat-scroll');
  const nearEnd = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  for (const m of messages) {
    if (!m || m.id == null) continue;
    remember(m.author_id, m.author_name);
    cur.messages.set(String(m.id), m);
    const old = cur.els.get(String(m.id));
    const el = messageElement(m);
    if (old) old.replaceWith(el);
    cur.els.set(String(m.id), el);
  }
  renderMessages();
  if (scrollToEnd || nearEnd) box.scrollTop = box.scrollHeight;
  maybeMarkSeen();
}

function messageElement(m) {
  const mine = String(m.author_id) === app.me.id;
  const kind = m.type === 'SYSTEM' ? 'system' : mine ? 'mine' : 'theirs';
  const text = h('div', { class: 'text', 'data-testid': 'chat-message-text' });
  if (m.deleted) text.append(h('em', { text: 'message deleted' }));
  else renderRichText(m.message, text);
  for (const a of (!m.deleted && m.attachments) || []) {
    // the bytes need the bearer token (chat-service), so the demo only names the file
    text.append(h('div', { class: 'attachment', text: `Attachment: ${a.filename} (${Math.ceil((a.size || 0) / 1024)} KB)` }));
  }
  return h('li', { class: 'msg ' + kind, 'data-testid': 'chat-message', 'data-message-id': String(m.id) },
    h('div', { class: 'meta' },
      h('span', { class: 'author', 'data-testid': 'chat-message-author', text: m.type === 'SYSTEM' ? 'System' : m.author_name || nameOf(m.author_id) }),
      h('time', { datetime: m.created_at, text: formatTime(m.created_at) + (m.edited_at ? ' (edited)' : '') })),
    text);
}

function orderedMessages(cur) {
  return [...cur.messages.values()].sort(byTime);
}

function renderMessages() {
  const cur = app.current;
  if (!cur) return;
  const ordered = orderedMessages(cur);
  reorder($('chat-messages'), ordered.map((m) => cur.els.get(String(m.id))));
  $('chat-empty').hidden = ordered.length > 0;
  $('load-earlier').hidden = !cur.hasMore || !cur.nextBefore;
  renderSeen();
}

async function loadEarlier() {
  const cur = app.current;
  if (!cur || !cur.nextBefore) return;
  const box = $('chat-scroll');
  const fromEnd = box.scrollHeight - box.scrollTop;
  try {
    const page = await app.client.request('get_messages', { ticket_id: cur.id, before: cur.nextBefore, limit: 50 });
    if (app.current !== cur) return;
    cur.nextBefore = page.next_before || null;
    cur.hasMore = !!page.has_more;
    addMessages(cur, page.messages || []);
    box.scrollTop = box.scrollHeight - fromEnd;
  } catch (e) {
    toast('Could not load earlier messages: ' + errorText(e), 'error');
  }
}

async function sendMessage(event) {
  if (event) event.preventDefault();
  const cur = app.current;
  const input = $('chat-input');
  const text = input.value;
  if (!cur || !text.trim()) return;
  stopTyping();
  input.value = '';
  const clientMsgId = crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random();
  for (let attempt = 1; ; attempt++) {
    try {
      // the same client_msg_id on a retry: chat-service never stores it twice
      const ack = await app.client.sendMessage(cur.id, text, { clientMsgId });
      if (app.current === cur && ack && ack.message) addMessages(cur, [ack.message], true);
      return;
    } catch (e) {
      if (attempt < 3 && (e.code === 'DISCONNECTED' || e.code === 'TIMEOUT')) continue;
      if (!input.value && app.current === cur) input.value = text;
      toast('The message was not sent: ' + errorText(e), 'error');
      return;
    }
  }
}

/** A receipt for the latest message from someone else, when the page is visible. */
function maybeMarkSeen() {
  const cur = app.current;
  if (!cur || document.visibilityState !== 'visible' || !app.client || app.client.state !== 'open') return;
  const latest = orderedMessages(cur).filter((m) => String(m.author_id) !== app.me.id && m.type !== 'SYSTEM' && !m.deleted).pop();
  if (!latest || cur.lastMarked === String(latest.id)) return;
  cur.lastMarked = String(latest.id);
  app.client.markSeen(cur.id, latest.id).catch(() => { cur.lastMarked = null; });
}

/** "Seen by …" under my latest message: whoever has a receipt at or after it. */
function renderSeen() {
  const el = $('seen-receipt');
  const cur = app.current;
  el.textContent = '';
  el.hidden = true;
  if (!cur) return;
  const ordered = orderedMessages(cur);
  const position = new Map(ordered.map((m, i) => [String(m.id), i]));
  let myLast = -1;
  ordered.forEach((m, i) => { if (String(m.author_id) === app.me.id) myLast = i; });
  if (myLast < 0) return;
  const seers = [...cur.receipts]
    .filter(([userId, messageId]) => userId !== app.me.id && (position.get(messageId) ?? -1) >= myLast)
    .map(([userId]) => nameOf(userId));
  if (seers.length) {
    el.textContent = 'Seen by ' + seers.join(', ');
    el.hidden = false;
  }
}

function onTyping(p) {
  forCurrent(p, (cur) => {
    const userId = String(p.user_id);
    if (userId === app.me.id) return;
    remember(userId, p.user_name);
    const old = cur.typers.get(userId);
    if (old) clearTimeout(old.timer);
    if (p.is_typing) {
      const timer = setTimeout(() => { cur.typers.delete(userId); renderTyping(); }, TYPING_SHOWN_MS);
      cur.typers.set(userId, { name: p.user_name || nameOf(userId), timer });
    } else {
      cur.typers.delete(userId);
    }
    renderTyping();
  });
}

function renderTyping() {
  const el = $('typing-indicator');
  const names = app.current ? [...app.current.typers.values()].map((t) => t.name) : [];
  el.textContent = names.length === 0 ? '' : names.length === 1 ? `${names[0]} is typing…` : `${names.join(', ')} are typing…`;
  el.hidden = names.length === 0;
}

/** typing_indicator on input, renewed every 3 s while typing, off after 4 s idle or on send. */
function onChatInput() {
  const cur = app.current;
  if (!cur || !app.client) return;
  if (!$('chat-input').value.trim()) {
    stopTyping();
    return;
  }
  const now = Date.now();
  if (now - app.typing.sentAt > TYPING_RENEW_MS) {
    app.typing.sentAt = now;
    app.client.typing(cur.id, true).catch(() => {});
  }
  clearTimeout(app.typing.idleTimer);
  app.typing.idleTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
}

function stopTyping() {
  clearTimeout(app.typing.idleTimer);
  if (app.typing.sentAt && app.current && app.client) app.client.typing(app.current.id, false).catch(() => {});
  app.typing.sentAt = 0;
}

function setOnline(cur, users) {
  cur.online.clear();
  for (const u of users || []) {
    remember(u.user_id, u.user_name);
    cur.online.set(String(u.user_id), { name: u.user_name, status: u.status || 'online' });
  }
  renderOnline();
}

function renderOnline() {
  const list = $('online-users');
  const cur = app.current;
  const users = cur ? [...cur.online].sort((a, b) => String(a[1].name).localeCompare(String(b[1].name))) : [];
  list.replaceChildren(...users.map(([id, u]) => h('li', { class: 'presence', 'data-user-id': id, 'data-status': u.status },
    h('span', { class: 'dot', 'aria-hidden': 'true' }),
    (u.name || nameOf(id)) + (id === app.me.id ? ' (you)' : ''),
    h('span', { class: 'visually-hidden', text: ` (${u.status})` }))));
}

// ------------------------------------------------------------------ notifications

async function loadNotifications() {
  try {
    const page = await app.client.request('list_notifications', { limit: 20 });
    app.notifications = page.items || [];
    if (typeof page.unread === 'number') setUnread(page.unread);
    renderNotifications();
  } catch (e) {
    toast('Could not load the notifications: ' + errorText(e), 'error');
  }
}

function setUnread(n) {
  app.unread = Math.max(0, Number(n) || 0);
  renderUnread();
}

function renderUnread() {
  const count = document.querySelector('[data-testid="unread-count"]');
  count.textContent = String(app.unread);
  count.dataset.unread = String(app.unread);
  $('bell').setAttribute('aria-label', `Notifications, ${app.unread} unread`);
  $('bell').classList.toggle('has-unread', app.unread > 0);
}

function renderNotifications() {
  const list = $('notification-list');
  list.replaceChildren(...app.notifications.map((n) => h('li', { class: 'notification' + (n.read ? '' : ' unread'), 'data-notification-id': n.id },
    h('button', { type: 'button', onclick: () => openNotification(n) },
      h('strong', { text: n.title || n.type }),
      n.count > 1 ? h('span', { class: 'muted', text: ` (${n.count})` }) : null,
      n.body ? h('span', { class: 'body', text: n.body }) : null,
      h('time', { datetime: n.updated_at || n.created_at, text: formatTime(n.updated_at || n.created_at) })))));
  $('notification-empty').hidden = app.notifications.length > 0;
}

function togglePanel(open) {
  const panel = $('notification-panel');
  const show = open === undefined ? panel.hidden : open;
  panel.hidden = !show;
  $('bell').setAttribute('aria-expanded', String(show));
  if (show && app.client) loadNotifications();
}

async function openNotification(n) {
  if (!n.read) {
    app.client.request('mark_notification_read', { notification_id: n.id })
      .then((ack) => { n.read = true; if (ack && typeof ack.unread === 'number') setUnread(ack.unread); renderNotifications(); })
      .catch((e) => toast('Could not mark it read: ' + errorText(e), 'error'));
  }
  if (n.ticket_id) {
    togglePanel(false);
    openTicket(n.ticket_id);
  }
}

async function markAllRead() {
  try {
    const ack = await app.client.request('mark_notification_read', { all: true });
    app.notifications.forEach((n) => { n.read = true; });
    setUnread(ack && typeof ack.unread === 'number' ? ack.unread : 0);
    renderNotifications();
  } catch (e) {
    toast('Could not mark the notifications read: ' + errorText(e), 'error');
  }
}

// ------------------------------------------------------------------ start

function init() {
  $('token-form').addEventListener('submit', signInWithToken);
  $('sign-out').addEventListener('click', signOut);
  $('reconnect').addEventListener('click', () => { if (app.client) app.client.connect().catch(() => {}); });
  $('new-ticket').addEventListener('submit', createTicket);
  $('ticket-list').addEventListener('click', (e) => {
    const item = e.target.closest('[data-testid="ticket-item"]');
    if (item) openTicket(item.dataset.ticketId);
  });
  $('tv-close').addEventListener('click', closeTicket);
  $('status-select').addEventListener('change', changeStatus);
  $('assign-me').addEventListener('click', () => assign(app.me.id));
  $('assignee-select').addEventListener('change', (e) => assign(e.target.value || null));
  $('load-earlier').addEventListener('click', loadEarlier);
  $('chat-form').addEventListener('submit', sendMessage);
  $('chat-input').addEventListener('input', onChatInput);
  $('chat-input').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      sendMessage();
    }
  });
  $('bell').addEventListener('click', () => togglePanel());
  $('mark-all-read').addEventListener('click', markAllRead);
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && !$('notification-panel').hidden) togglePanel(false); });
  document.addEventListener('click', (e) => {
    if (!$('notification-panel').hidden && !e.target.closest('.bell-wrap')) togglePanel(false);
  });
  document.addEventListener('visibilitychange', maybeMarkSeen);

  app.session = loadSession();
  if (app.session && app.session.token && app.session.user) startApp();
  else showSignIn();
}

init();
