// Enhancements of the query page. The page works without any of this: the forms are
// plain GET forms answered by the server. Here: picking an example fills the editor
// at once, Ctrl+Enter runs the query, and a richer editor (YASQE) replaces the text
// area when its script loads from the configured URL. If that URL is unreachable
// the script's error is ignored and the plain text area stays.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    var form = document.getElementById("query-form");
    var textarea = document.getElementById("query");
    var select = document.getElementById("example");
    var editor = null;
    if (!form || !textarea) { return; }

    function setText(text) {
      textarea.value = text;
      if (editor) { editor.setValue(text); }
    }

    if (select) {
      select.addEventListener("change", function () {
        var option = select.options[select.selectedIndex];
        if (option && option.dataset.query) { setText(option.dataset.query); }
      });
      var load = document.getElementById("load-example");
      if (load) { load.hidden = true; }  // choosing an example is enough with script on
    }

    form.addEventListener("submit", function () {
      if (editor) { textarea.value = editor.getValue(); }
    });
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit ? form.requestSubmit() : form.submit();
      }
    });

    var base = textarea.dataset.editor;
    if (!base) { return; }
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = base + "yasqe.min.css";
    var script = document.createElement("script");
    script.src = base + "yasqe.min.js";
    script.async = true;
    script.onload = function () {
      if (typeof window.Yasqe !== "function") { return; }
      try {
        var holder = document.getElementById("editor");
        holder.hidden = false;
        editor = new window.Yasqe(holder, {
          value: textarea.value,
          persistenceId: null,        // the text area, not local storage, holds the query
          showQueryButton: false,     // the form's own button runs it
          autocompleters: [],         // no look-ups on third-party services
          createShareableLink: null,  // the page URL already is the shareable link
          resizeable: true
        });
        editor.addKeyMap({ "Ctrl-Enter": function () { form.requestSubmit(); } });
        textarea.hidden = true;
        document.body.classList.add("rich-editor");
      } catch (err) {
        textarea.hidden = false;
        editor = null;
      }
    };
    script.onerror = function () { document.body.classList.add("plain-editor"); };
    document.head.appendChild(css);
    document.head.appendChild(script);
  });
})();
