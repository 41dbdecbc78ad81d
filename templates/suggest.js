// Suggestions as you type in the search box, as a combobox with a listbox popup (the
// WAI-ARIA Authoring Practices' "list autocomplete" pattern). Without this script the box
// is a plain search form; with it, the focus stays in the box, the arrow keys move through
// the list (aria-activedescendant), Enter picks, Escape closes, and the mouse works too.
// Text from the server is only ever set as textContent.
(function () {
  "use strict";
  var form = document.querySelector("form.searchbox[data-suggest]");
  var input = form && form.querySelector("input[name=q]");
  if (!input || !window.fetch || !window.JSON) {
    return;
  }
  var endpoint = form.getAttribute("data-suggest");
  var kinds = (form.getAttribute("data-suggest-kinds") || "").split("|");
  var kindIds = ["convention", "law", "consultation", "title", "term"];
  var row = input.parentNode;
  var list = document.createElement("ul");
  list.id = input.id + "-suggestions";
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", form.getAttribute("data-suggest-list") || "");
  list.hidden = true;
  row.appendChild(list);
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  row.parentNode.insertBefore(status, row.nextSibling);

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("autocomplete", "off");

  var items = [];
  var active = -1;
  var timer = null;
  var pending = null;
  var asked = "";

  function open() {
    if (items.length === 0) {
      close();
      return;
    }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    highlight(-1);
  }

  function highlight(i) {
    active = i;
    var options = list.children;
    for (var k = 0; k < options.length; k++) {
      options[k].setAttribute("aria-selected", k === i ? "true" : "false");
    }
    if (i >= 0 && options[i]) {
      input.setAttribute("aria-activedescendant", options[i].id);
      if (options[i].scrollIntoView) {
        options[i].scrollIntoView({ block: "nearest" });
      }
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function show(suggestions) {
    items = suggestions;
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    suggestions.forEach(function (s, i) {
      var li = document.createElement("li");
      li.id = list.id + "-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.setAttribute("data-kind", s.kind);
      var text = document.createElement("span");
      text.className = "text";
      text.textContent = s.text;
      li.appendChild(text);
      var label = kinds[kindIds.indexOf(s.kind)];
      if (label) {
        var kind = document.createElement("span");
        kind.className = "kind";
        kind.textContent = label;
        li.appendChild(kind);
      }
      li.addEventListener("mousedown", function (event) {
        // Keep the focus in the box, so the list does not close before the click.
        event.preventDefault();
      });
      li.addEventListener("click", function () {
        choose(i);
      });
      li.addEventListener("mousemove", function () {
        if (active !== i) {
          highlight(i);
        }
      });
      list.appendChild(li);
    });
    active = -1;
    input.removeAttribute("aria-activedescendant");
    status.textContent = suggestions.length
      ? suggestions.length + " " + (form.getAttribute("data-suggest-count") || "")
      : "";
    open();
  }

  function choose(i) {
    var s = items[i];
    if (!s) {
      return;
    }
    input.value = s.text;
    close();
    if (s.kind === "title" || s.kind === "term") {
      // The form keeps the page's filters in its hidden fields.
      if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
    } else {
      window.location.assign(s.url);
    }
  }

  function ask() {
    var q = input.value.trim();
    if (q === asked) {
      open();
      return;
    }
    asked = q;
    if (pending) {
      pending.abort();
      pending = null;
    }
    if (q.length < 2) {
      items = [];
      close();
      return;
    }
    var controller = window.AbortController ? new AbortController() : null;
    pending = controller;
    var url = endpoint + (endpoint.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(q);
    fetch(url, controller ? { signal: controller.signal } : {})
      .then(function (response) {
        return response.ok ? response.json() : { suggestions: [] };
      })
      .then(function (answer) {
        if (input.value.trim() === q && document.activeElement === input) {
          show(answer.suggestions || []);
        }
      })
      .catch(function () {
        // No suggestions is a fine answer: the search itself still works.
      });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 120);
  });

  input.addEventListener("keydown", function (event) {
    var n = items.length;
    switch (event.key) {
      case "ArrowDown":
      case "Down":
        if (n === 0) {
          return;
        }
        event.preventDefault();
        if (list.hidden) {
          open();
          highlight(0);
        } else {
          highlight(active + 1 >= n ? 0 : active + 1);
        }
        break;
      case "ArrowUp":
      case "Up":
        if (n === 0) {
          return;
        }
        event.preventDefault();
        if (list.hidden) {
          open();
          highlight(n - 1);
        } else {
          highlight(active <= 0 ? n - 1 : active - 1);
        }
        break;
      case "Enter":
        if (!list.hidden && active >= 0) {
          event.preventDefault();
          choose(active);
        }
        break;
      case "Escape":
      case "Esc":
        if (!list.hidden) {
          event.preventDefault();
          close();
        }
        break;
      case "Tab":
        close();
        break;
      default:
        break;
    }
  });

  input.addEventListener("blur", function () {
    close();
  });
})();
