/* The upload page: choose or drop files, announce them as one batch, send each
 * with tus (tus-js-client), one progress bar per file, then open the run page.
 *
 * Resuming: tus-js-client keeps each upload's URL in localStorage under a
 * fingerprint that includes the batch; the batch itself is remembered with the
 * set of files it was made for. Choosing the same files again after a reload
 * reuses both, and each upload continues from the server's offset. */
(function () {
  "use strict";

  var root = document.getElementById("uploader");
  if (!root || !window.tus) { return; }

  var PENDING_KEY = "datapunk.uploads.pending-batch";
  var CHUNK_SIZE = 32 * 1024 * 1024;
  var endpoint = root.dataset.tusEndpoint;
  var batchUrl = root.dataset.batchUrl;
  var csrf = root.dataset.csrf;
  var maxBytes = Number(root.dataset.maxBytes);
  var leftBytes = Number(root.dataset.leftBytes);

  var input = document.getElementById("files");
  var chooseButton = document.getElementById("choose");
  var dropzone = document.getElementById("dropzone");
  var list = document.getElementById("file-list");
  var startButton = document.getElementById("start");
  var cancelButton = document.getElementById("cancel");
  var errorBox = document.getElementById("upload-error");
  var statusLine = document.getElementById("upload-status");

  var chosen = [];
  var busy = false;
  var current = null;  // the tus upload being sent and its batch

  function humanBytes(n) {
    var units = ["bytes", "KB", "MB", "GB", "TB"];
    var i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
    return i === 0 ? n + " bytes" : n.toFixed(1) + " " + units[i];
  }

  function showError(message) {
    errorBox.textContent = message || "";
    errorBox.hidden = !message;
  }

  function fileKey(file) {
    return [file.name, file.size, file.lastModified].join("/");
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function problems() {
    var messages = [];
    var total = 0;
    chosen.forEach(function (item) {
      total += item.file.size;
      if (item.file.size === 0) {
        messages.push(item.file.name + " is empty (0 bytes): there is nothing to import. Download that part from Google Takeout again.");
      }
      if (item.file.size > maxBytes) {
        messages.push(item.file.name + " is " + humanBytes(item.file.size) + "; the largest file this server accepts is " +
          humanBytes(maxBytes) + ". Split the export into smaller parts in Google Takeout.");
      }
    });
    if (total > leftBytes) {
      messages.push("These files need " + humanBytes(total) + " but only " + humanBytes(leftBytes) +
        " of your quota is free. Remove unfinished uploads or old imports first.");
    }
    return messages;
  }

  function refresh() {
    var messages = problems();
    showError(messages.join(" "));
    startButton.disabled = busy || chosen.length === 0 || messages.length > 0;
    chooseButton.disabled = busy;
    startButton.textContent = chosen.length > 1 ? "Upload " + chosen.length + " files and import" : "Upload and import";
  }

  function addFiles(files) {
    if (busy) { return; }
    Array.prototype.forEach.call(files, function (file) {
      if (chosen.some(function (item) { return fileKey(item.file) === fileKey(file); })) { return; }
      var row = el("li", "file-row");
      var name = el("span", "file-name", file.name);
      name.title = file.name;
      var progress = el("progress");
      progress.max = 100;
      progress.value = 0;
      progress.setAttribute("aria-label", "Upload progress of " + file.name);
      var pct = el("span", "file-pct", "0 %");
      var remove = el("button", "file-remove", "Remove");
      remove.type = "button";
      remove.setAttribute("aria-label", "Remove " + file.name);
      var note = el("span", "file-note", humanBytes(file.size) + " · waiting");
      row.append(name, progress, pct, remove, note);
      list.append(row);
      var item = { file: file, row: row, progress: progress, pct: pct, note: note, remove: remove };
      remove.addEventListener("click", function () {
        chosen = chosen.filter(function (other) { return other !== item; });
        row.remove();
        refresh();
      });
      chosen.push(item);
    });
    refresh();
  }

  function setProgress(item, sent, total) {
    var percent = total ? Math.floor((sent / total) * 100) : 100;
    item.progress.value = percent;
    item.pct.textContent = percent + " %";
    item.note.textContent = humanBytes(sent) + " of " + humanBytes(total);
  }

  function responseMessage(error, item) {
    var response = error.originalResponse;
    var status = response ? response.getStatus() : 0;
    var body = response ? String(response.getBody() || "").trim() : "";
    if (status && status < 500 && body) { return item.file.name + ": " + body; }
    if (status) { return item.file.name + ": the server answered " + status + ". " + body; }
    return item.file.name + ": the connection failed. Choose the same files again to resume where it stopped.";
  }

  async function getBatch() {
    var keys = chosen.map(function (item) { return fileKey(item.file); }).sort();
    var saved = null;
    try { saved = JSON.parse(window.localStorage.getItem(PENDING_KEY) || "null"); } catch (e) { saved = null; }
    if (saved && JSON.stringify(saved.keys) === JSON.stringify(keys)) {
      var check = await fetch(saved.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (check.ok) {
        var state = await check.json();
        if (state.state === "open") { return saved; }
      }
    }
    var response = await fetch(batchUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify({ files: chosen.map(function (item) { return { name: item.file.name, size: item.file.size }; }) }),
    });
    var body = await response.json().catch(function () { return {}; });
    if (!response.ok) { throw new Error(body.error || "The server refused these files (" + response.status + ")."); }
    var batch = { id: body.batch, statusUrl: body.status_url, discardUrl: body.discard_url, keys: keys };
    window.localStorage.setItem(PENDING_KEY, JSON.stringify(batch));
    return batch;
  }

  function uploadOne(item, batch) {
    return new Promise(function (resolve, reject) {
      var upload = new window.tus.Upload(item.file, {
        endpoint: endpoint,
        chunkSize: CHUNK_SIZE,
        // A dropped network is retried for about five minutes before giving up.
        retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000, 60000, 60000],
        metadata: { filename: item.file.name, filetype: item.file.type || "application/octet-stream",
                    batch: String(batch.id) },
        headers: { "X-CSRFToken": csrf },
        fingerprint: function (file) {
          return Promise.resolve(["datapunk", batch.id, file.name, file.size, file.lastModified].join("-"));
        },
        storeFingerprintForResuming: true,
        removeFingerprintOnSuccess: true,
        onProgress: function (sent, total) { setProgress(item, sent, total); },
        onSuccess: function () {
          setProgress(item, item.file.size, item.file.size);
          item.row.classList.add("is-done");
          item.note.textContent = humanBytes(item.file.size) + " · on the server";
          resolve();
        },
        onError: function (error) {
          item.row.classList.add("is-error");
          item.note.textContent = "Stopped";
          reject(new Error(responseMessage(error, item)));
        },
      });
      item.note.textContent = "Starting…";
      current = { upload: upload, batch: batch };
      upload.findPreviousUploads().then(function (previous) {
        if (previous.length) {
          upload.resumeFromPreviousUpload(previous[0]);
          item.note.textContent = "Resuming where it stopped…";
        }
        upload.start();
      });
    });
  }

  function sleep(ms) { return new Promise(function (resolve) { window.setTimeout(resolve, ms); }); }

  async function waitForRun(batch) {
    for (var attempt = 0; attempt < 60; attempt += 1) {
      var response = await fetch(batch.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok) {
        var state = await response.json();
        state.files.forEach(function (file) {
          if (!file.duplicate) { return; }
          chosen.forEach(function (item) {
            if (item.file.name === file.name) { item.note.textContent = "Already uploaded before: the same bytes were recognized."; }
          });
        });
        if (state.run_url) { return state; }
      }
      await sleep(1000);
    }
    return null;
  }

  // The same bytes as an earlier import: say so, link to it, and offer to read them again.
  function showAlreadyImported(earlier) {
    statusLine.textContent = earlier.sentence + " ";
    var link = el("a", "", "See Import #" + earlier.run);
    link.href = earlier.run_url;
    var form = el("form", "inline");
    form.method = "post";
    form.action = earlier.import_again_url;
    var token = el("input");
    token.type = "hidden";
    token.name = "csrfmiddlewaretoken";
    token.value = csrf;
    var again = el("button", "secondary-button", "Import again");
    again.type = "submit";
    again.id = "import-again";
    form.append(token, again);
    statusLine.append(link, " ", form);
  }

  async function start() {
    if (busy || chosen.length === 0) { return; }
    busy = true;
    showError("");
    refresh();
    chosen.forEach(function (item) { item.remove.hidden = true; });
    cancelButton.hidden = false;
    var batch;
    try {
      statusLine.textContent = "Checking space…";
      batch = await getBatch();
      for (var i = 0; i < chosen.length; i += 1) {
        statusLine.textContent = "Uploading " + (i + 1) + " of " + chosen.length + "…";
        await uploadOne(chosen[i], batch);
      }
    } catch (error) {
      showError(error.message);
      statusLine.textContent = "Upload stopped. What arrived is kept: choose the same files again to continue.";
      busy = false;
      chosen.forEach(function (item) { item.remove.hidden = false; });
      refresh();
      return;
    }
    busy = false;  // nothing left to lose: leaving the page no longer needs a warning
    cancelButton.hidden = true;
    statusLine.textContent = "All files are on the server. Starting the import…";
    var state = await waitForRun(batch);
    window.localStorage.removeItem(PENDING_KEY);
    if (state && state.already_imported) {
      showAlreadyImported(state.already_imported);
    } else if (state) {
      statusLine.textContent = "Import started. Opening its page…";
      window.location.assign(state.run_url);
    } else {
      statusLine.textContent = "The files arrived; the import has not started yet. It will start by itself — see Imports.";
    }
  }

  chooseButton.addEventListener("click", function () { input.click(); });
  input.addEventListener("change", function () { addFiles(input.files); input.value = ""; });
  startButton.addEventListener("click", start);
  cancelButton.addEventListener("click", async function () {
    if (!current) { return; }
    cancelButton.disabled = true;
    statusLine.textContent = "Cancelling…";
    // abort(true) stops sending, deletes the upload on the server (tus
    // termination) and forgets its resume URL; then the rest of the batch goes.
    await current.upload.abort(true).catch(function () { return null; });
    if (current.batch.discardUrl) {
      await fetch(current.batch.discardUrl, { method: "POST", credentials: "same-origin", redirect: "manual",
                                              headers: { "X-CSRFToken": csrf } });
    }
    window.localStorage.removeItem(PENDING_KEY);
    busy = false;
    window.location.reload();
  });
  ["dragenter", "dragover"].forEach(function (type) {
    dropzone.addEventListener(type, function (event) {
      event.preventDefault();
      dropzone.classList.add("is-over");
    });
  });
  ["dragleave", "drop"].forEach(function (type) {
    dropzone.addEventListener(type, function (event) {
      event.preventDefault();
      dropzone.classList.remove("is-over");
    });
  });
  dropzone.addEventListener("drop", function (event) {
    if (event.dataTransfer && event.dataTransfer.files) { addFiles(event.dataTransfer.files); }
  });
  window.addEventListener("beforeunload", function (event) {
    if (busy) { event.preventDefault(); }
  });
}());
