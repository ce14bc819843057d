/* commentsvc embed.js: the "Leave a Reply" widget for article pages.
 *
 *   <div id="comments" data-commentsvc-article="ARTICLE-ID" data-commentsvc-title="Title"></div>
 *   <script src="https://comments.example.org/embed.js" async></script>
 *
 * One widget per [data-commentsvc-article], each in its own Shadow DOM (style it with the
 * --commentsvc-* custom properties listed in widget.css). [data-commentsvc-count="ID"]
 * elements get the article's comment count. Iframes of /embed/<id> are sized to fit.
 * Plain JavaScript, no build step. Comment HTML comes only from the service's sanitised
 * `html` field; every other value is set as text.
 */
(() => {
  "use strict";
  // The service writes its settings here when it serves this file.
  const CONFIG = Object.assign({ css: "/widget.css", strings: {}, depth: 5, bodyMax: 10000 }, /*commentsvc:config*/{});
  const script = document.currentScript || document.querySelector('script[src*="/embed"]');
  const SERVICE = new URL(script ? script.src : "/", location.href).origin;
  if (window.commentsvc && window.commentsvc.service === SERVICE) {
    window.commentsvc.scan(); // loaded twice: mount what is new, once
    return;
  }

  // ---- words: one locale's strings from the service's gettext catalogues (see strings.py)
  const LOCALES = Object.keys(CONFIG.strings);
  const shipped = (tag) => {
    const primary = String(tag || "").trim().replace("_", "-").split("-")[0].toLowerCase();
    return LOCALES.includes(primary) ? primary : null;
  };
  // data-commentsvc-lang on the widget, else the page's <html lang>, else the browser's languages.
  const chooseLocale = (host) => {
    const asked = [host && host.dataset.commentsvcLang, document.documentElement.lang, ...(navigator.languages || [navigator.language])];
    for (const tag of asked) if (shipped(tag)) return shipped(tag);
    return "en";
  };
  const loading = new Map();
  const stringsFor = (locale) => {
    if (!loading.has(locale)) {
      const url = CONFIG.strings[locale];
      loading.set(locale, (url ? fetch(SERVICE + url, { credentials: "omit" }).then((r) => (r.ok ? r.json() : null)) : Promise.resolve(null))
        .catch(() => null).then((data) => new Words(data || { locale: "en", dir: "ltr", messages: {}, plurals: {} })));
    }
    return loading.get(locale);
  };
  const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (all, key) => (key in values ? String(values[key]) : all));
  const FALLBACK = {
    held: "Your comment is awaiting moderation.", load: "Comments could not be loaded. Check your connection, then try again.",
    badArticle: "This comment section is not set up correctly (no valid article id).", tryAgain: "Try again", comments: "Comments",
  };
  class Words {
    constructor(data) {
      this.locale = data.locale;
      this.dir = data.dir;
      this.messages = data.messages;
      this.plurals = data.plurals;
      this.rules = new Intl.PluralRules(this.locale);
    }
    t(key, values) {
      return fill(this.messages[key] || FALLBACK[key] || key, values || {});
    }
    n(key, count, values) {
      const forms = this.plurals[key] || {};
      const form = forms[this.rules.select(count)] || forms.other || "%(num)s";
      return fill(form, { ...values, num: this.number(count) });
    }
    number(n) {
      return n.toLocaleString(this.locale);
    }
    // The largest unit the elapsed time fills at least once (commentsvc/widget/present.py).
    relative(date) {
      const seconds = (Date.now() - date) / 1000;
      const unit = UNITS.find(([, size]) => seconds >= size);
      return unit ? new Intl.RelativeTimeFormat(this.locale).format(-Math.floor(seconds / unit[1]), unit[0]) : this.t("justNow");
    }
    exact(date) {
      return date.toLocaleString(this.locale, { dateStyle: "long", timeStyle: "short" });
    }
    heading(count, title) {
      if (count === 0) return title ? this.t("noThoughtsOn", { title }) : this.t("noThoughts");
      return title ? this.n("thoughtsOn", count, { title }) : this.n("thoughts", count);
    }
    countLabel(count) {
      return count === 0 ? this.t("noComments") : this.n("count", count);
    }
  }
  const ARTICLE_ID = /^[A-Za-z0-9_.:/-]{1,200}$/;
  const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]+$/;
  const AUTHOR_KEY = "commentsvc:author";
  const PENDING_DAYS = 14;

  // ---- storage: this browser only, never a cookie; silently absent when blocked
  const storage = (() => {
    try {
      const s = window.localStorage;
      s.getItem(AUTHOR_KEY);
      return s;
    } catch {
      return null;
    }
  })();
  const recall = (key, fallback) => {
    try {
      return (storage && JSON.parse(storage.getItem(key))) ?? fallback;
    } catch {
      return fallback;
    }
  };
  const keep = (key, value) => {
    try {
      if (storage) value == null ? storage.removeItem(key) : storage.setItem(key, JSON.stringify(value));
    } catch {
      /* full or blocked: nothing to do */
    }
  };

  // ---- building DOM: attributes and text only, never markup
  const h = (tag, props, ...children) => {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value == null || value === false) continue;
      if (key === "class") el.className = value;
      else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) if (child != null && child !== false) el.append(child);
    return el;
  };
  const svg = (tag, attrs) => {
    const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value);
    return el;
  };

  // The same picture commentsvc/avatars.py draws for the server-rendered page.
  const identicon = (token) => {
    const icon = svg("svg", { class: "avatar", width: 40, height: 40, viewBox: "-0.5 -0.5 6 6", "aria-hidden": "true", "shape-rendering": "crispEdges" });
    icon.append(svg("rect", { x: -0.5, y: -0.5, width: 6, height: 6, fill: "#f0f0f1" }));
    if (!/^[0-9a-f]{16}$/.test(token || "")) return icon;
    const group = svg("g", { fill: `hsl(${parseInt(token.slice(0, 3), 16) % 360} 55% 45%)` });
    const bits = parseInt(token.slice(3, 7), 16);
    const cells = [];
    for (let i = 0; i < 15; i++) {
      if (!((bits >> i) & 1)) continue;
      const x = Math.floor(i / 5), y = i % 5;
      cells.push([x, y]);
      if (x < 2) cells.push([4 - x, y]);
    }
    cells.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (const [x, y] of cells) group.append(svg("rect", { x, y, width: 1, height: 1 }));
    icon.append(group);
    return icon;
  };

  const UNITS = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60]];
  const webUrl = (url) => {
    try {
      const parsed = new URL(url);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch {
      return null;
    }
  };

  // The server's rules (CommentIn), checked first so the reader hears at once.
  const check = (v, w) => {
    const errors = {};
    const body = [...v.body.trim()].length;
    const max = CONFIG.bodyMax;
    if (!body) errors.body = w.t("bodyEmpty");
    else if (body > max) errors.body = w.t("bodyLong", { max: w.number(max), length: w.number(body) });
    const name = [...v.name.trim()].length;
    if (name < 1 || name > 100) errors.name = w.t("nameBad");
    const email = v.email.trim();
    if (!EMAIL.test(email) || email.length > 254) errors.email = w.t("emailBad");
    let url = v.url.trim();
    if (url && !url.includes("://")) url = "https://" + url;
    if (url && (!webUrl(url) || !new URL(url).hostname.includes("."))) errors.url = w.t("urlBad");
    else if (url.length > 200) errors.url = w.t("urlLong", { max: w.number(200) });
    return errors;
  };

  // An Idempotency-Key: random, one per comment (a UUID where the browser makes them).
  const newKey = () => {
    const c = window.crypto;
    if (c && c.randomUUID) return c.randomUUID();
    const bytes = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(bytes);
    else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  };

  const walk = (nodes, visit) => {
    for (const node of nodes) {
      visit(node);
      walk(node.replies || [], visit);
    }
  };

  class Widget {
    constructor(host) {
      this.host = host;
      this.article = host.dataset.commentsvcArticle || "";
      this.pageSize = Math.min(Math.max(parseInt(host.dataset.commentsvcPageSize, 10) || 50, 1), 200);
      this.comments = [];
      this.count = 0;
      this.title = null;
      this.open = true;
      this.cursor = null;
      this.replyTo = null;
      this.fields = {};
      this.root = host.shadowRoot || host.attachShadow({ mode: "open" });
      this.start();
    }

    async start() {
      this.words = await stringsFor(chooseLocale(this.host));
      this.build();
      if (ARTICLE_ID.test(this.article)) this.load(null);
      else this.fail(this.words.t("badArticle"), false);
    }

    // The service answers its own messages (a refusal, a field error) in the widget's language.
    headers(extra) {
      return { "Accept-Language": this.words.locale, ...extra };
    }

    api(suffix) {
      const path = this.article.split("/").map(encodeURIComponent).join("/");
      return `${SERVICE}/api/v1/articles/${path}/comments${suffix || ""}`;
    }

    build() {
      const w = this.words;
      // Hidden until the stylesheet arrives, so the reader never sees it unstyled.
      const early = h("style", {}, ":host{display:block}.commentsvc{visibility:hidden}");
      const sheet = h("link", { rel: "stylesheet", href: SERVICE + CONFIG.css, onerror: () => early.remove() });
      this.headingEl = h("h2", { class: "comments-title", id: "comments-title" }, w.t("comments"));
      this.problem = h("div", { class: "notice notice-error", role: "alert", hidden: true });
      this.more = h("nav", { class: "comment-navigation", "aria-label": w.t("olderComments"), hidden: true },
        h("button", { type: "button", class: "more", onclick: () => this.load(this.cursor) }, w.t("olderComments")));
      this.list = h("ol", { class: "comment-list" });
      this.closed = h("p", { class: "no-comments", hidden: true }, w.t("closedShort"));
      this.home = h("div", { class: "respond-home" });
      this.respond = this.buildForm();
      this.respond.hidden = true;
      // A region named by its heading ("3 thoughts on …"), so two widgets on a page differ.
      this.section = h("section", { class: "commentsvc", "aria-labelledby": "comments-title", lang: w.locale, dir: w.dir },
        this.headingEl, this.problem, this.more, this.list, this.home, this.respond, this.closed);
      this.root.replaceChildren(early, sheet, this.section);
    }

    buildForm() {
      const w = this.words;
      const field = (name, label, control, required) => {
        control.id = `f-${name}`;
        control.name = name;
        const error = h("span", { class: "field-error", id: `f-${name}-error`, hidden: true });
        const mark = required ? [" ", h("span", { class: "required", "aria-hidden": "true" }, "*")] : null;
        const p = h("p", { class: `comment-form-${name}` }, h("label", { for: control.id }, label, mark), control, error);
        this.fields[name] = { p, control, error };
        return p;
      };
      this.replyTitle = h("span", {}, w.t("leaveReply"));
      this.cancel = h("small", { hidden: true }, " ",
        h("button", { type: "button", class: "cancel-reply", onclick: () => this.reply(null) }, w.t("cancelReply")));
      // The live region is always in the page (empty when silent): a region that appears
      // together with its text is not announced by every screen reader.
      this.message = h("p", { class: "notice", role: "status", "aria-live": "polite" });
      this.save = h("input", { type: "checkbox", id: "f-save" });
      this.notify = h("input", { type: "checkbox", id: "f-notify", name: "notify_replies" });
      this.button = h("button", { type: "submit", class: "submit" }, w.t("postComment"));
      // A trap for bots, never seen by people (off-screen, hidden from screen readers,
      // skipped by Tab): a comment that fills it is filed as spam.
      this.trap = h("input", { type: "text", id: "f-subject", name: "subject", tabindex: "-1", autocomplete: "off" });
      const trapP = h("p", { class: "comment-form-subject", "aria-hidden": "true" }, h("label", { for: "f-subject" }, w.t("subject")), " ", this.trap);
      const saveP = h("p", { class: "comment-form-cookies-consent", hidden: !storage }, this.save,
        " ", h("label", { for: "f-save" }, w.t("save")));
      this.form = h("form", { class: "comment-form", novalidate: true, onsubmit: (e) => this.submit(e) },
        h("p", { class: "comment-notes" }, ...w.t("notes").split("%(mark)s").flatMap((part, i) => (i ? [h("span", { class: "required" }, "*"), part] : [part]))),
        field("body", w.t("comment"), h("textarea", { rows: 8, required: true, dir: "auto" }), true),
        field("name", w.t("name"), h("input", { type: "text", autocomplete: "name", required: true }), true),
        field("email", w.t("email"), h("input", { type: "email", autocomplete: "email", required: true }), true),
        field("url", w.t("website"), h("input", { type: "url", autocomplete: "url" }), false),
        trapP,
        h("p", { class: "comment-form-subscriptions" }, this.notify, " ", h("label", { for: "f-notify" }, w.t("notify"))),
        saveP,
        h("p", { class: "form-submit" }, this.button));
      const saved = recall(AUTHOR_KEY, null);
      if (saved && typeof saved === "object") {
        this.save.checked = true;
        for (const name of ["name", "email", "url"]) {
          if (typeof saved[name] === "string") this.fields[name].control.value = saved[name];
        }
      }
      return h("div", { id: "respond", class: "comment-respond" },
        h("h3", { class: "comment-reply-title" }, this.replyTitle, this.cancel), this.message, this.form);
    }

    async load(cursor) {
      const query = new URLSearchParams({ order: "newest", limit: String(this.pageSize) });
      if (cursor) query.set("cursor", cursor);
      let data;
      try {
        const response = await fetch(this.api(`?${query}`), { credentials: "omit", headers: this.headers() });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        // The time-trap's clock: kept from the first load, when the form appeared.
        this.formToken = this.formToken || response.headers.get("Comment-Form-Token");
        data = await response.json();
      } catch {
        this.fail(this.words.t("load"), true);
        return;
      }
      this.problem.hidden = true;
      const page = (data.comments || []).slice().reverse(); // newest page, read oldest first
      this.comments = cursor ? page.concat(this.comments) : page;
      this.cursor = data.next_cursor || null;
      this.count = data.count || 0;
      this.title = data.title || null;
      this.open = data.comments_open !== false;
      this.render();
      if (!this.shown) {
        this.shown = true;
        followHash(this);
      }
    }

    fail(text, retry) {
      this.problem.replaceChildren(text, retry ? " " : "",
        retry ? h("button", { type: "button", class: "more", onclick: () => this.load(null) }, this.words.t("tryAgain")) : "");
      this.problem.hidden = false;
    }

    pending() {
      const now = Date.now();
      const list = recall(`commentsvc:pending:${SERVICE}:${this.article}`, []);
      return Array.isArray(list) ? list.filter((c) => c && Number.isInteger(c.id) && now - (c.saved_at || 0) < PENDING_DAYS * 864e5) : [];
    }

    keepPending(list) {
      keep(`commentsvc:pending:${SERVICE}:${this.article}`, list.length ? list : null);
    }

    render() {
      this.headingEl.textContent = this.words.heading(this.count, this.host.dataset.commentsvcTitle || this.title);
      // The reader's own held comments, until they come back in the thread (approved).
      const published = new Set();
      walk(this.comments, (c) => published.add(c.id));
      const mine = this.pending().filter((c) => !published.has(c.id));
      this.keepPending(mine);
      const extra = new Map();
      for (const c of mine) {
        const key = published.has(c.parent_id) ? c.parent_id : null;
        extra.set(key, (extra.get(key) || []).concat({ ...c, pending: true, replies: [] }));
      }
      const items = (nodes, depth) => nodes.map((c) => this.item(c, depth, extra));
      this.list.replaceChildren(...items(this.comments, 1), ...items(extra.get(null) || [], 1));
      this.list.hidden = !this.list.children.length;
      this.more.hidden = !this.cursor;
      this.closed.hidden = this.open;
      this.respond.hidden = !this.open;
      if (this.replyTo && !this.root.getElementById(`comment-${this.replyTo.id}`)) this.replyTo = null;
      this.place();
    }

    item(c, depth, extra) {
      const w = this.words;
      const classes = ["comment", c.staff && "staff", c.pending && "pending"].filter(Boolean).join(" ");
      const li = h("li", { class: classes, id: `comment-${c.id}` });
      if (c.removed) {
        li.append(h("article", { class: "comment-body removed" }, h("p", {}, w.t("removed"))));
      } else {
        const author = c.author || {};
        const url = webUrl(author.url);
        // <bdi>: a right-to-left name shows as written and cannot reorder what follows it.
        const label = h("bdi", {}, author.name || "");
        const name = url ? h("a", { class: "url", href: url, rel: "nofollow ugc noopener" }, label) : label;
        const date = new Date(c.created_at);
        // dir=auto: an English comment in an Urdu thread reads left to right, and the reverse.
        const content = h("div", { class: "comment-content", dir: "auto" });
        content.innerHTML = c.html || ""; // the service's sanitised HTML, and nothing else
        const canReply = this.open && !c.pending && depth < CONFIG.depth;
        li.append(h("article", { class: "comment-body" },
          h("footer", { class: "comment-meta" }, identicon(author.avatar),
            h("div", { class: "comment-meta-text" },
              h("span", { class: "comment-author" }, name),
              c.staff && h("span", { class: "badge" }, w.t("staff")),
              h("a", { class: "comment-permalink", href: `#comment-${c.id}` },
                h("time", { datetime: c.created_at, title: isNaN(date) ? null : w.exact(date) }, isNaN(date) ? "" : w.relative(date))))),
          c.pending && h("p", { class: "awaiting" }, w.t("held")),
          content,
          canReply && h("div", { class: "reply" }, h("button", {
            type: "button", class: "comment-reply-link", "aria-label": w.t("replyToLabel", { name: author.name || "" }),
            onclick: () => this.reply(c),
          }, w.t("reply")))));
      }
      const replies = (c.replies || []).concat(extra.get(c.id) || []);
      if (replies.length) li.append(h("ol", { class: "children" }, replies.map((r) => this.item(r, depth + 1, extra))));
      return li;
    }

    reply(comment) {
      const was = this.replyTo;
      this.replyTo = comment ? { id: comment.id, name: (comment.author || {}).name || "" } : null;
      this.place();
      this.say(null);
      // Keyboard and screen-reader users go where the action went: into the form to write,
      // and on "Cancel reply" back to the Reply button they came from.
      const back = was && this.root.querySelector(`#comment-${was.id} > article .comment-reply-link`);
      if (comment) this.fields.body.control.focus();
      else if (back) back.focus();
    }

    place() {
      const target = this.replyTo && this.root.getElementById(`comment-${this.replyTo.id}`);
      const [before, after] = this.words.t("replyTo").split("%(name)s");
      this.replyTitle.replaceChildren(...(this.replyTo ? [before, h("bdi", {}, this.replyTo.name), after || ""] : [this.words.t("leaveReply")]));
      this.cancel.hidden = !this.replyTo;
      if (target) target.querySelector(":scope > article").after(this.respond);
      else if (this.respond.previousElementSibling !== this.home) this.home.after(this.respond);
    }

    say(kind, text) {
      this.message.className = `notice notice-${kind || "ok"}`;
      this.message.textContent = kind ? text || "" : "";
    }

    showErrors(errors) {
      for (const [name, { p, control, error }] of Object.entries(this.fields)) {
        const text = errors[name] ? [].concat(errors[name]).join(" ") : "";
        p.classList.toggle("has-error", !!text);
        error.textContent = text;
        error.hidden = !text;
        if (text) {
          control.setAttribute("aria-invalid", "true");
          control.setAttribute("aria-describedby", error.id);
        } else {
          control.removeAttribute("aria-invalid");
          control.removeAttribute("aria-describedby");
        }
      }
      const first = Object.keys(this.fields).find((name) => errors[name]);
      if (first) this.fields[first].control.focus();
    }

    values() {
      return Object.fromEntries(Object.entries(this.fields).map(([name, f]) => [name, f.control.value]));
    }

    async submit(event) {
      event.preventDefault();
      if (this.busy) return;
      const values = this.values();
      const errors = check(values, this.words);
      this.showErrors(errors);
      if (Object.keys(errors).length) return this.say("error", this.words.t("invalid"));
      this.say(null);
      const payload = { ...values, notify_replies: this.notify.checked, subject: this.trap.value };
      if (this.formToken) payload.form_token = this.formToken;
      if (this.replyTo) payload.parent_id = this.replyTo.id;
      // aria-disabled, not disabled: a disabled button loses the keyboard focus.
      this.busy = true;
      this.button.setAttribute("aria-disabled", "true");
      try {
        await this.send(payload);
      } finally {
        this.busy = false;
        this.button.removeAttribute("aria-disabled");
      }
    }

    async send(payload) {
      const json = JSON.stringify(payload);
      // The same comment sent again (after a network error or a refusal) keeps its key, so
      // if the first try was stored and only its answer lost, the service stores it once.
      if (!this.attempt || this.attempt.json !== json) this.attempt = { key: newKey(), json };
      let response, body;
      try {
        response = await fetch(this.api(), {
          method: "POST",
          credentials: "omit",
          headers: this.headers({ "Content-Type": "application/json", "Idempotency-Key": this.attempt.key }),
          body: json,
        });
        body = await response.json().catch(() => null);
      } catch {
        return this.say("error", this.words.t("network"));
      }
      if (response.status === 201 || response.status === 202) {
        this.attempt = null;
        return this.posted(response.status, body);
      }
      const error = (body && body.error) || {};
      if (response.status === 422) {
        const fields = error.fields || {};
        this.showErrors(fields);
        const other = Object.entries(fields).filter(([name]) => !this.fields[name]).flatMap(([, m]) => m);
        return this.say("error", other.length ? other.join(" ") : this.words.t("invalid"));
      }
      if (response.status === 429) return this.say("error", error.code === "too_fast" ? error.message : this.words.t("rate"));
      if (response.status === 409) return this.say("error", error.message || this.words.t("server"));
      if (response.status === 403) {
        this.say("error", error.code === "comments_closed" ? this.words.t("closed") : error.message || this.words.t("server"));
        return;
      }
      if (response.status === 404) return this.say("error", this.words.t("notFound"));
      return this.say("error", this.words.t("server"));
    }

    posted(status, body) {
      const author = {};
      for (const name of ["name", "email", "url"]) author[name] = this.fields[name].control.value.trim();
      keep(AUTHOR_KEY, this.save.checked ? author : null);
      this.fields.body.control.value = "";
      this.notify.checked = false;
      this.replyTo = null;
      const hadFocus = this.form.contains(this.root.activeElement);
      const comment = status === 201 ? body : body && body.comment;
      if (comment && status === 202) {
        this.keepPending(this.pending().concat({ ...comment, saved_at: Date.now() }));
      } else if (comment) {
        const parent = [];
        walk(this.comments, (c) => c.id === comment.parent_id && parent.push(c));
        if (parent.length) parent[0].replies = (parent[0].replies || []).concat(comment);
        else this.comments = this.comments.concat(comment);
        this.count += 1;
      }
      this.render();
      this.say("ok", this.words.t(status === 201 ? "published" : "held"));
      // A reply's form went back under the thread, which took the focus from the button.
      if (hadFocus && !this.form.contains(this.root.activeElement)) this.button.focus({ preventScroll: true });
      const shown = comment && this.root.getElementById(`comment-${comment.id}`);
      if (shown) shown.scrollIntoView({ block: "nearest" });
    }
  }

  // ---- #comments and #comment-<id> links, into the shadow roots
  const widgets = [];
  const followHash = (only) => {
    const match = /^#comment-(\d+)$/.exec(location.hash);
    for (const widget of only ? [only] : widgets) {
      const el = match ? widget.root.getElementById(`comment-${match[1]}`) : null;
      if (el) {
        for (const old of widget.root.querySelectorAll(".target")) old.classList.remove("target");
        el.classList.add("target");
        el.scrollIntoView({ block: "start" });
        return;
      }
      if (location.hash === `#${widget.host.id}` && widget.host.id) widget.host.scrollIntoView({ block: "start" });
    }
  };

  // ---- comment counts for article listings: <a data-commentsvc-count="ID">
  const counted = new WeakSet();
  const fillCounts = async () => {
    const words = await stringsFor(chooseLocale(null));
    const els = [...document.querySelectorAll("[data-commentsvc-count]")].filter((el) => !counted.has(el));
    const ids = [...new Set(els.map((el) => el.dataset.commentsvcCount))].filter((id) => ARTICLE_ID.test(id));
    for (let i = 0; i < ids.length; i += 100) {
      const query = ids.slice(i, i + 100).map((id) => `article_id=${encodeURIComponent(id)}`).join("&");
      try {
        const response = await fetch(`${SERVICE}/api/v1/counts?${query}`, { credentials: "omit" });
        const counts = response.ok ? (await response.json()).counts || {} : {};
        for (const el of els) {
          const n = counts[el.dataset.commentsvcCount];
          if (Number.isInteger(n)) {
            el.textContent = words.countLabel(n);
            counted.add(el);
          }
        }
      } catch {
        /* counts are a nicety: leave the page's own text */
      }
    }
  };

  // ---- <iframe src=".../embed/ID">: sized to its content, scrolled to its anchors
  window.addEventListener("message", (event) => {
    const data = event.data;
    if (event.origin !== SERVICE || !data || typeof data !== "object") return;
    const frame = [...document.querySelectorAll("iframe")].find((f) => f.contentWindow === event.source);
    if (!frame) return;
    if (data.commentsvc === "height" && Number.isFinite(data.height)) {
      frame.style.height = `${Math.min(Math.max(data.height, 50), 100000)}px`;
    } else if (data.commentsvc === "scroll" && Number.isFinite(data.y)) {
      window.scrollTo({ top: frame.getBoundingClientRect().top + window.scrollY + data.y });
    }
  });

  const mounted = new WeakSet();
  const scan = () => {
    for (const host of document.querySelectorAll("[data-commentsvc-article]")) {
      if (mounted.has(host)) continue;
      mounted.add(host);
      widgets.push(new Widget(host));
    }
    fillCounts();
  };
  window.commentsvc = Object.freeze({ service: SERVICE, scan });
  window.addEventListener("hashchange", () => followHash(null));
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
  else scan();
})();
