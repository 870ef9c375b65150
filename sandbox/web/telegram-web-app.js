// The sandbox's window.Telegram.WebApp: the part of Telegram's Mini App script the shop uses,
// written for the sandbox from the protocol Telegram documents, so a page that works here
// works in Telegram with telegram.org's script.
//
// Launch parameters come in the URL fragment (#tgWebAppData=...&tgWebAppVersion=...&
// tgWebAppPlatform=...&tgWebAppThemeParams=...) and are kept in sessionStorage, so a reload
// or the page's own hash routes do not lose them. The page talks to the client (the sandbox
// web chat, the iframe's parent) with
//   window.parent.postMessage(JSON.stringify({eventType, eventData}), "*")
// and hears back main_button_pressed, back_button_pressed, theme_changed {theme_params},
// viewport_changed {height, is_expanded, is_state_stable}, invoice_closed {slug, status} and
// popup_closed {button_id}.
(function () {
  "use strict";
  if (window.Telegram && window.Telegram.WebApp) return;

  const STORE = "__sandbox_tg_launch__";

  function decode(value) {
    try {
      return decodeURIComponent(value.replace(/\+/g, "%20"));
    } catch (_) {
      return value;
    }
  }

  function parseParams(text) {
    const params = {};
    if (!text) return params;
    for (const pair of text.split("&")) {
      if (!pair) continue;
      const cut = pair.indexOf("=");
      const key = decode(cut < 0 ? pair : pair.slice(0, cut));
      params[key] = cut < 0 ? "" : decode(pair.slice(cut + 1));
    }
    return params;
  }

  function launchParams() {
    const fromHash = parseParams(location.hash.replace(/^#/, ""));
    let stored = {};
    try {
      stored = JSON.parse(sessionStorage.getItem(STORE) || "{}");
    } catch (_) {
      stored = {};
    }
    if ("tgWebAppData" in fromHash || "tgWebAppVersion" in fromHash) {
      const params = {};
      for (const [key, value] of Object.entries(fromHash)) {
        if (key.startsWith("tgWebApp")) params[key] = value;
      }
      try {
        sessionStorage.setItem(STORE, JSON.stringify(params));
      } catch (_) { /* storage off: the fragment is all we have */ }
      return params;
    }
    return stored;
  }

  function parseJson(text, fallback) {
    try {
      return text ? JSON.parse(text) : fallback;
    } catch (_) {
      return fallback;
    }
  }

  function unsafeData(raw) {
    const data = {};
    for (const [key, value] of Object.entries(parseParams(raw))) {
      data[key] = ["user", "receiver", "chat"].includes(key) ? parseJson(value, null) : value;
    }
    return data;
  }

  function darkColor(hex) {
    const match = /^#?([0-9a-f]{6})$/i.exec(hex || "");
    if (!match) return false;
    const n = parseInt(match[1], 16);
    const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
    return 0.299 * r + 0.587 * g + 0.114 * b < 120;
  }

  const launch = launchParams();
  const queryStart = new URLSearchParams(location.search).get("tgWebAppStartParam");
  const handlers = {}; // event name -> [callback]
  const invoices = {}; // slug -> callback
  let popupCallback = null;

  function postEvent(eventType, eventData) {
    if (window.parent === window) {
      console.info("[telegram-web-app] not inside a client:", eventType, eventData || "");
      return;
    }
    window.parent.postMessage(JSON.stringify({ eventType, eventData: eventData || {} }), "*");
  }

  function emit(name, ...args) {
    for (const callback of (handlers[name] || []).slice()) {
      try {
        callback.apply(WebApp, args);
      } catch (error) {
        console.error("[telegram-web-app]", name, "handler failed:", error);
      }
    }
  }

  function applyTheme(params) {
    WebApp.themeParams = Object.assign({}, params || {});
    WebApp.colorScheme = darkColor(WebApp.themeParams.bg_color) ? "dark" : "light";
    const root = document.documentElement.style;
    for (const [key, value] of Object.entries(WebApp.themeParams)) {
      root.setProperty("--tg-theme-" + key.replace(/_/g, "-"), value);
    }
    root.setProperty("--tg-color-scheme", WebApp.colorScheme);
  }

  function applyViewport(height, stable) {
    WebApp.viewportHeight = height;
    if (stable) WebApp.viewportStableHeight = height;
    const root = document.documentElement.style;
    root.setProperty("--tg-viewport-height", height + "px");
    root.setProperty("--tg-viewport-stable-height", WebApp.viewportStableHeight + "px");
  }

  function button(kind) {
    // MainButton and BackButton: state kept here, every change sent as one setup event
    const main = kind === "main";
    let custom = { color: null, textColor: null }; // colours the page set; else the theme's
    let lastShown = false;
    const self = {
      isVisible: false,
      onClick(callback) { WebApp.onEvent(main ? "mainButtonClicked" : "backButtonClicked", callback); return self; },
      offClick(callback) { WebApp.offEvent(main ? "mainButtonClicked" : "backButtonClicked", callback); return self; },
      show() { self.isVisible = true; sync(); return self; },
      hide() { self.isVisible = false; sync(); return self; },
    };
    function sync() {
      if (!main) {
        postEvent("web_app_setup_back_button", { is_visible: self.isVisible });
        return;
      }
      const params = {
        is_visible: self.isVisible && Boolean(self.text),
        is_active: self.isActive,
        is_progress_visible: self.isProgressVisible,
        text: self.text,
        color: self.color,
        text_color: self.textColor,
      };
      if (!self.isVisible && !lastShown) return; // nothing on screen to change
      lastShown = params.is_visible;
      postEvent("web_app_setup_main_button", params);
    }
    if (main) {
      Object.defineProperty(self, "color", {
        get: () => custom.color || WebApp.themeParams.button_color || "#3390ec",
        enumerable: true,
      });
      Object.defineProperty(self, "textColor", {
        get: () => custom.textColor || WebApp.themeParams.button_text_color || "#ffffff",
        enumerable: true,
      });
      self.resync = sync;
      Object.assign(self, {
        text: "",
        isActive: true,
        isProgressVisible: false,
        setText(text) { self.text = String(text).trim().slice(0, 64); sync(); return self; },
        enable() { self.isActive = true; sync(); return self; },
        disable() { self.isActive = false; sync(); return self; },
        showProgress(leaveActive) {
          self.isProgressVisible = true;
          if (!leaveActive) self.isActive = false;
          sync();
          return self;
        },
        hideProgress() { self.isProgressVisible = false; self.isActive = true; sync(); return self; },
        setParams(params) {
          if ("text" in params) self.text = String(params.text).trim().slice(0, 64);
          if ("color" in params) custom = { ...custom, color: params.color || null };
          if ("text_color" in params) custom = { ...custom, textColor: params.text_color || null };
          if ("is_active" in params) self.isActive = Boolean(params.is_active);
          if ("is_visible" in params) self.isVisible = Boolean(params.is_visible);
          sync();
          return self;
        },
      });
    }
    return self;
  }

  function invoiceSlug(url) {
    const match = /^https?:\/\/(?:t\.me|telegram\.me)\/(?:\$|invoice\/)([\w-]+)\/?$/.exec(url || "");
    return match ? match[1] : null;
  }

  function versionAtLeast(version) {
    const have = WebApp.version.split(".").map(Number);
    const want = String(version).split(".").map(Number);
    for (let i = 0; i < Math.max(have.length, want.length); i += 1) {
      const a = have[i] || 0;
      const b = want[i] || 0;
      if (a !== b) return a > b;
    }
    return true;
  }

  const WebApp = {
    initData: launch.tgWebAppData || "",
    initDataUnsafe: unsafeData(launch.tgWebAppData || ""),
    version: launch.tgWebAppVersion || "6.0",
    platform: launch.tgWebAppPlatform || "unknown",
    colorScheme: "light",
    themeParams: {},
    isExpanded: false,
    viewportHeight: window.innerHeight,
    viewportStableHeight: window.innerHeight,
    isClosingConfirmationEnabled: false,
    headerColor: null,
    backgroundColor: null,
    ready() { postEvent("web_app_ready"); },
    expand() { WebApp.isExpanded = true; postEvent("web_app_expand"); },
    close() { postEvent("web_app_close"); },
    isVersionAtLeast: versionAtLeast,
    onEvent(name, callback) {
      if (typeof callback !== "function") return;
      (handlers[name] = handlers[name] || []).push(callback);
    },
    offEvent(name, callback) {
      const list = handlers[name] || [];
      const index = list.indexOf(callback);
      if (index >= 0) list.splice(index, 1);
    },
    sendData(data) {
      const text = String(data);
      if (!text.length || new TextEncoder().encode(text).length > 4096) {
        throw new Error("WebAppDataInvalid");
      }
      postEvent("web_app_data_send", { data: text });
    },
    openLink(url) { postEvent("web_app_open_link", { url: String(url) }); },
    openTelegramLink(url) {
      const parsed = new URL(String(url), "https://t.me");
      postEvent("web_app_open_tg_link", { path_full: parsed.pathname + parsed.search });
    },
    openInvoice(url, callback) {
      const slug = invoiceSlug(String(url));
      if (!slug) throw new Error("WebAppInvoiceUrlInvalid");
      if (invoices[slug]) throw new Error("WebAppInvoiceOpened");
      invoices[slug] = { url: String(url), callback: callback || null };
      postEvent("web_app_open_invoice", { slug });
    },
    showPopup(params, callback) {
      if (popupCallback) throw new Error("WebAppPopupOpened");
      const buttons = (params.buttons && params.buttons.length) ? params.buttons : [{ type: "close" }];
      popupCallback = callback || (() => {});
      postEvent("web_app_open_popup", {
        title: String(params.title || ""),
        message: String(params.message || ""),
        buttons: buttons.map((b) => ({ id: String(b.id || ""), type: b.type || "default", text: String(b.text || "") })),
      });
    },
    showAlert(message, callback) {
      WebApp.showPopup({ message, buttons: [{ type: "close" }] }, () => { if (callback) callback(); });
    },
    showConfirm(message, callback) {
      WebApp.showPopup(
        { message, buttons: [{ id: "ok", type: "ok" }, { type: "cancel" }] },
        (id) => { if (callback) callback(id === "ok"); },
      );
    },
    setHeaderColor(color) {
      WebApp.headerColor = color;
      const key = color === "bg_color" || color === "secondary_bg_color";
      postEvent("web_app_set_header_color", key ? { color_key: color } : { color });
    },
    setBackgroundColor(color) {
      WebApp.backgroundColor = color;
      postEvent("web_app_set_background_color", { color });
    },
    enableClosingConfirmation() {
      WebApp.isClosingConfirmationEnabled = true;
      postEvent("web_app_setup_closing_behavior", { need_confirmation: true });
    },
    disableClosingConfirmation() {
      WebApp.isClosingConfirmationEnabled = false;
      postEvent("web_app_setup_closing_behavior", { need_confirmation: false });
    },
    HapticFeedback: {
      impactOccurred(style) {
        postEvent("web_app_trigger_haptic_feedback", { type: "impact", impact_style: style });
        return WebApp.HapticFeedback;
      },
      notificationOccurred(type) {
        postEvent("web_app_trigger_haptic_feedback", { type: "notification", notification_type: type });
        return WebApp.HapticFeedback;
      },
      selectionChanged() {
        postEvent("web_app_trigger_haptic_feedback", { type: "selection_change" });
        return WebApp.HapticFeedback;
      },
    },
  };
  if (!WebApp.initDataUnsafe.start_param && queryStart) WebApp.initDataUnsafe.start_param = queryStart;
  applyTheme(parseJson(launch.tgWebAppThemeParams, {}));
  applyViewport(window.innerHeight, true);
  WebApp.MainButton = button("main");
  WebApp.BackButton = button("back");

  const received = {
    main_button_pressed() {
      if (WebApp.MainButton.isActive) emit("mainButtonClicked");
    },
    back_button_pressed() { emit("backButtonClicked"); },
    theme_changed(data) {
      applyTheme(data.theme_params);
      WebApp.MainButton.resync(); // a theme-coloured button takes the new colours
      emit("themeChanged");
    },
    viewport_changed(data) {
      if (typeof data.height === "number") applyViewport(data.height, data.is_state_stable);
      if ("is_expanded" in data) WebApp.isExpanded = Boolean(data.is_expanded);
      emit("viewportChanged", { isStateStable: Boolean(data.is_state_stable) });
    },
    invoice_closed(data) {
      const pending = invoices[data.slug];
      if (!pending) return;
      delete invoices[data.slug];
      if (pending.callback) pending.callback(data.status);
      emit("invoiceClosed", { url: pending.url, status: data.status });
    },
    popup_closed(data) {
      const callback = popupCallback;
      popupCallback = null;
      if (callback) callback(data.button_id || null);
      emit("popupClosed", { button_id: data.button_id || null });
    },
  };

  window.addEventListener("message", (event) => {
    if (event.source !== window.parent) return;
    let message;
    try {
      message = typeof event.data === "string" ? JSON.parse(event.data) : event.data;
    } catch (_) {
      return;
    }
    if (!message || typeof message.eventType !== "string") return;
    const handle = received[message.eventType];
    if (handle) handle(message.eventData || {});
  });

  window.Telegram = Object.assign(window.Telegram || {}, { WebApp });
})();
