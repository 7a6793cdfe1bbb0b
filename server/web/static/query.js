// Enhancements of the query page. The page works without any of this: the forms are
// plain GET forms answered by the server, which renders the result table itself.
// With script on:
// - the YASQE editor (served from this site, static/vendor/yasqe) replaces the text
//   area, with the common prefixes offered (typing `rdfs:` adds its PREFIX line) and no
//   look-up on any other site;
// - the YASR result viewer (static/vendor/yasr) shows the rows the server rendered,
//   sortable and paged, IRIs shown by label or prefixed name as in the server's table;
// - picking an example replaces the query only while it is unedited; an edited query is
//   replaced only when the user says so, so browsing the list with the arrow keys never
//   loses typed work;
// - Ctrl+Enter (Cmd+Enter) runs the query.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function readJson(id) {
    var element = document.getElementById(id);
    if (!element) { return null; }
    try { return JSON.parse(element.textContent); } catch (err) { return null; }
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function normalized(text) { return text.replace(/\r\n/g, "\n"); }

  function submit(form) {
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  }

  // The YASQE editor over the text area, or null (script missing or failing).
  function makeEditor(textarea, form, prefixes) {
    if (typeof window.Yasqe !== "function") { return null; }
    var holder = document.getElementById("editor");
    try {
      // YASQE's own prefix completer fetches prefix.cc; this one offers nkd's list.
      window.Yasqe.forkAutocompleter("prefixes", {
        name: "nkdPrefixes",
        persistenceId: null,
        get: function () {
          return Object.keys(prefixes).map(function (name) { return name + ": <" + prefixes[name] + ">"; }).sort();
        }
      }, false);
      // The page's settings are merged into YASQE's defaults, lists index by index, so the
      // default completers (LOV's classes and properties among them) go from the defaults.
      window.Yasqe.defaults.autocompleters = ["nkdPrefixes", "variables"];
      holder.hidden = false;
      var editor = new window.Yasqe(holder, {
        value: textarea.value,
        persistenceId: null,          // the page, not local storage, holds the query
        showQueryButton: false,       // the form's own button runs it
        autocompleters: ["nkdPrefixes", "variables"],  // none that asks another site
        createShareableLink: null,    // the page URL already is the shareable link
        consumeShareLink: null,
        requestConfig: { endpoint: "/sparql" },
        // The editor grows with its query (the page scrolls, not a box inside it, which
        // the keyboard could not reach); the PREFIX lines fold into one, a click away.
        resizeable: false,
        editorHeight: "auto",
        viewportMargin: Infinity,
        collapsePrefixesOnLoad: true,
        screenReaderLabel: "Query"
      });
      var run = function () { submit(form); };
      editor.addKeyMap({ "Ctrl-Enter": run, "Cmd-Enter": run });
      textarea.hidden = true;
      document.body.classList.add("rich-editor");
      return editor;
    } catch (err) {
      holder.hidden = true;
      textarea.hidden = false;
      return null;
    }
  }

  // Picking an example: replace an unedited query at once, ask before replacing an edited one.
  function setupExamples(select, text) {
    var load = document.getElementById("load-example");
    var prompt = document.getElementById("example-prompt");
    if (load) { load.hidden = true; }  // choosing an example is enough with script on

    function hidePrompt() { prompt.hidden = true; prompt.textContent = ""; }

    function ask(option) {
      hidePrompt();
      prompt.appendChild(document.createTextNode("Your query has changes. "));
      var replace = document.createElement("button");
      replace.type = "button";
      replace.id = "replace-query";
      replace.textContent = "Replace it with " + option.value;
      replace.addEventListener("click", function () {
        text.load(option.dataset.query);
        hidePrompt();
        text.focus();
      });
      var keep = document.createElement("button");
      keep.type = "button";
      keep.id = "keep-query";
      keep.className = "secondary";
      keep.textContent = "Keep my query";
      keep.addEventListener("click", function () {
        select.value = "";
        hidePrompt();
        text.focus();
      });
      prompt.appendChild(replace);
      prompt.appendChild(document.createTextNode(" "));
      prompt.appendChild(keep);
      prompt.hidden = false;
    }

    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      if (!option || !option.dataset.query) { hidePrompt(); return; }
      if (text.edited()) { ask(option); } else { text.load(option.dataset.query); hidePrompt(); }
    });
  }

  // Names YASR leaves out: its row-number column and its page-size list.
  function nameYasrControls(holder) {
    Array.prototype.forEach.call(holder.querySelectorAll("thead th"), function (th) {
      if (!th.textContent.trim()) {
        var name = document.createElement("span");
        name.className = "visually-hidden";
        name.textContent = "Row";
        th.appendChild(name);
      }
    });
    Array.prototype.forEach.call(holder.querySelectorAll("select.tableSizer"), function (select) {
      select.setAttribute("aria-label", "Rows per page");
    });
  }

  // The rows the server rendered, in YASR: sortable, paged, filterable.
  function showResults(data) {
    if (!data || typeof window.Yasr !== "function") { return; }
    var holder = document.getElementById("yasr");
    var serverTable = document.getElementById("server-table");
    var Table = window.Yasr.plugins.table;
    if (!holder || !serverTable || !Table) { return; }
    // IRIs as the server's table shows them: label or prefixed name, linking to where
    // they dereference (this site for nkd's own), with the text escaped.
    Table.prototype.getUriLinkFromBinding = function (binding) {
      var shown = data.iris[binding.value] || { text: binding.value, note: "", href: binding.value };
      return '<a class="iri" href="' + escapeHtml(shown.href) + '" title="' + escapeHtml(binding.value) + '">' +
        escapeHtml(shown.text) + "</a>" + (shown.note ? "<br><small>" + escapeHtml(shown.note) + "</small>" : "");
    };
    try {
      holder.hidden = false;
      var yasr = new window.Yasr(holder, {
        persistenceId: null,
        prefixes: {},
        pluginOrder: ["table", "response"],
        defaultPlugin: "table",
        plugins: { table: { dynamicConfig: { openIriInNewWindow: false } } }
      });
      yasr.on("drawn", function () { nameYasrControls(holder); });
      yasr.setResponse({ contentType: "application/sparql-results+json", data: JSON.stringify(data.results) });
      nameYasrControls(holder);
      serverTable.hidden = true;
      document.body.classList.add("rich-results");
    } catch (err) {
      holder.hidden = true;
      serverTable.hidden = false;
    }
  }

  ready(function () {
    var form = document.getElementById("query-form");
    var textarea = document.getElementById("query");
    if (!form || !textarea) { return; }
    var editor = makeEditor(textarea, form, readJson("prefix-data") || {});
    if (!editor) { document.body.classList.add("plain-editor"); }

    // The query text, wherever it is edited, and what was last put there for the user.
    var loaded = normalized(textarea.value);
    var text = {
      get: function () { return normalized(editor ? editor.getValue() : textarea.value); },
      load: function (value) {
        loaded = normalized(value);
        textarea.value = value;
        if (editor) { editor.setValue(value); }
      },
      edited: function () { return text.get() !== loaded; },
      focus: function () { if (editor) { editor.focus(); } else { textarea.focus(); } }
    };

    var select = document.getElementById("example");
    if (select) { setupExamples(select, text); }

    form.addEventListener("submit", function () {
      if (editor) { textarea.value = editor.getValue(); }
    });
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        submit(form);
      }
    });

    showResults(readJson("result-data"));
  });
})();
