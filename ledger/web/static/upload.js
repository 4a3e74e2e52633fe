// Says what the upload is doing: the bytes sent, then the server's checking and storing.
// Without JavaScript the form posts normally and the result page tells the same in numbers.
(function () {
  var form = document.getElementById("upload-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  var status = document.getElementById("upload-status");
  var bar = document.getElementById("upload-progress");
  form.addEventListener("submit", function (event) {
    var files = form.querySelector("input[type=file]").files;
    if (!files.length) return;
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    bar.hidden = false;
    status.textContent = form.dataset.uploading.replace("{count}", files.length);
    form.querySelector("button[type=submit]").disabled = true;
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
    });
    xhr.upload.addEventListener("load", function () {
      bar.removeAttribute("value");  // indeterminate while the server works
      status.textContent = form.dataset.checking;
    });
    xhr.addEventListener("load", function () {
      document.open();
      document.write(xhr.responseText);
      document.close();
      history.replaceState(null, "", window.location.href);
    });
    xhr.send(new FormData(form));
  });
})();
