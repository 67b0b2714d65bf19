// cardbot web chat: posts what the visitor writes, long-polls the bot's replies.
(function () {
  "use strict";
  var root = document.getElementById("chat");
  var log = document.getElementById("log");
  var form = document.getElementById("say");
  var input = document.getElementById("text");
  var status = document.getElementById("status");
  var api = "/chat/api";
  var store = {};
  try { store = window.localStorage || {}; } catch (e) { store = {}; }
  // In the widget's frame the cookie is third-party and not sent: the session id travels in a header,
  // kept in the frame's own storage. A page of its own keeps only the HttpOnly cookie.
  var embed = document.body.classList.contains("embed");
  var session = embed ? (store["cardbot_chat_session"] || "") : "";
  var epoch = "", after = 0, shown = {};
  var start = root.getAttribute("data-start") || "";
  var started = store["cardbot_chat_started"] === "1";
  var opened = false; // a read has answered: the chat exists, so a 429 on a send means too fast

  function headers() {
    var h = { "Content-Type": "application/json" };
    if (session) { h["X-Chat-Session"] = session; }
    return h;
  }
  function remember(id) {
    if (embed && id && id !== session) { session = id; try { store["cardbot_chat_session"] = id; } catch (e) {} }
  }
  function newID() {
    var a = new Uint8Array(12); (window.crypto || window.msCrypto).getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function setStatus(text) { status.hidden = !text; status.textContent = text || ""; }
  // retryAfter is the wait a 429 asks for, in milliseconds (at least a second, at most ten minutes).
  function retryAfter(r) {
    var s = parseInt(r.headers.get("Retry-After"), 10);
    return Math.min(Math.max(isNaN(s) ? 5 : s, 1), 600) * 1000;
  }

  function render(m) {
    if (shown[m.seq]) { return; }
    shown[m.seq] = true;
    var li = document.createElement("li");
    li.className = "msg " + (m.from === "me" ? "me" : "bot");
    if (m.picture) {
      var img = document.createElement("img");
      img.alt = "";
      img.className = "card";
      // fetched rather than linked: inside the widget's frame only the header carries the session
      fetch(api + "/picture/" + m.seq, { headers: headers(), credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.blob(); })
        .then(function (b) { img.onload = function () { log.scrollTop = log.scrollHeight; }; img.src = URL.createObjectURL(b); })
        .catch(function () { img.remove(); });
      li.appendChild(img);
    }
    if (m.text) { var p = document.createElement("div"); p.textContent = m.text; li.appendChild(p); }
    if (m.buttons && m.buttons.length) {
      var kb = document.createElement("div"); kb.className = "kb";
      m.buttons.forEach(function (row) {
        var r = document.createElement("div"); r.className = "row";
        row.forEach(function (b) {
          var el;
          if (b.url) { el = document.createElement("a"); el.href = b.url; el.target = "_blank"; el.rel = "noopener"; el.className = "btn"; }
          else { el = document.createElement("button"); el.type = "button"; el.addEventListener("click", function () { send({ button: b.data, label: b.text }); }); }
          el.textContent = b.text;
          r.appendChild(el);
        });
        kb.appendChild(r);
      });
      li.appendChild(kb);
    }
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
  }

  function send(msg) {
    msg.id = newID();
    if (!started && start) { msg.payload = start; }
    var body = JSON.stringify(msg);
    var attempt = function (n) {
      fetch(api + "/send", { method: "POST", headers: headers(), body: body, credentials: "same-origin" })
        .then(function (r) {
          // Too fast (or, for a new chat, too many chats from this address): say so, send it later.
          if (r.status === 429 && n < 5) {
            setStatus(root.getAttribute(opened ? "data-slow" : "data-busy"));
            setTimeout(function () { attempt(n + 1); }, retryAfter(r));
            return;
          }
          if (r.status >= 500 && n < 5) { setTimeout(function () { attempt(n + 1); }, 1000 * (n + 1)); return; }
          if (r.ok) { started = true; try { store["cardbot_chat_started"] = "1"; } catch (e) {} }
          setStatus("");
        })
        .catch(function () { setStatus(root.getAttribute("data-offline")); if (n < 5) { setTimeout(function () { attempt(n + 1); }, 1000 * (n + 1)); } });
    };
    attempt(0);
  }

  function poll(wait) {
    var url = api + "/messages?after=" + after + "&epoch=" + encodeURIComponent(epoch) + (wait ? "&wait=1" : "");
    fetch(url, { headers: headers(), credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 429) {
          // Too many new chats from this address: say so and open the chat when it may.
          setStatus(root.getAttribute("data-busy"));
          setTimeout(function () { poll(false); }, retryAfter(r));
          return null;
        }
        if (!r.ok) { throw new Error(r.status); }
        return r.json();
      })
      .then(function (d) {
        if (!d) { return; }
        opened = true;
        remember(d.session);
        if (d.epoch !== epoch) { epoch = d.epoch; after = 0; shown = {}; clearLog(); }
        d.messages.forEach(function (m) { render(m); if (m.seq > after) { after = m.seq; } });
        setStatus("");
        poll(true);
      })
      .catch(function () { setStatus(root.getAttribute("data-offline")); setTimeout(function () { poll(true); }, 3000); });
  }
  function clearLog() {
    Array.prototype.slice.call(log.querySelectorAll("li.msg")).forEach(function (li) { li.remove(); });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    send({ text: text });
  });
  poll(false);
  input.focus();
})();
