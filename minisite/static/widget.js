// cardbot chat widget. Paste on your site:
//   <script src="https://your-cardbot.example/chat/widget.js" async></script>
(function () {
  "use strict";
  if (window.__cardbotChat) { return; }
  window.__cardbotChat = true;
  var me = document.currentScript || (function () {
    var s = document.getElementsByTagName("script");
    for (var i = s.length - 1; i >= 0; i--) { if (/\/chat\/widget\.js/.test(s[i].src)) { return s[i]; } }
    return null;
  })();
  if (!me) { return; }
  var base = me.src.replace(/\/chat\/widget\.js.*$/, "");
  var label = "__LABEL__";
  var closeLabel = "__CLOSE_LABEL__"; // the button's words while the chat is open
  var btn = document.createElement("button");
  btn.type = "button";
  btn.style.cssText = "position:fixed;right:16px;bottom:16px;z-index:2147483646;border:0;border-radius:999px;" +
    "padding:14px 18px;background:#2f6f4f;color:#fff;font:600 16px system-ui,sans-serif;box-shadow:0 6px 20px rgba(0,0,0,.25);cursor:pointer";
  var frame = null;
  function show(open) {
    btn.textContent = open ? closeLabel : label;
    btn.setAttribute("aria-expanded", open ? "true" : "false");
    if (frame) { frame.style.display = open ? "block" : "none"; }
  }
  btn.addEventListener("click", function () {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.id = "cardbot-chat-frame";
      frame.src = base + "/chat?embed=1";
      frame.title = label;
      frame.style.cssText = "position:fixed;right:16px;bottom:76px;z-index:2147483647;width:min(380px,calc(100vw - 32px));" +
        "height:min(560px,calc(100vh - 110px));border:0;border-radius:14px;box-shadow:0 10px 30px rgba(0,0,0,.3);background:#f6f4f0";
      document.body.appendChild(frame);
      btn.setAttribute("aria-controls", frame.id);
      show(true);
    } else {
      show(frame.style.display === "none");
    }
  });
  show(false);
  document.body.appendChild(btn);
})();
