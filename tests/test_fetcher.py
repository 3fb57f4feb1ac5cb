"""load_ucr against a local HTTP server: no test reaches the internet."""

import hashlib
import http.server
import io
import threading
import zipfile

import numpy as np
import pytest

from softdtw_learn.datasets import _fetcher, load_ecg200, load_ucr

TRAIN = "@classLabel true a b\n@data\n1,2,3:a\n4,5,6:b\n"
TEST = "@classLabel true a b\n@data\n7,8,9,10:b\n"


def _zip(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buffer.getvalue()


GOOD = _zip({"Toy/Toy_TRAIN.ts": TRAIN, "Toy/Toy_TEST.ts": TEST})
ROUTES = {
    "/Toy.zip": GOOD,
    "/Hashed.zip": _zip({"Hashed_TRAIN.ts": TRAIN, "Hashed_TEST.ts": TEST}),
    "/Corrupt.zip": b"PK\x03\x04 this is not a zip archive",
    "/Empty.zip": _zip({"README.txt": "no data here"}),
}


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the http.server API)
        if self.path == "/Truncated.zip":
            self.send_response(200)
            self.send_header("Content-Length", str(len(GOOD)))
            self.end_headers()
            self.wfile.write(GOOD[: len(GOOD) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        body = ROUTES.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def archive(server, monkeypatch, tmp_path):
    monkeypatch.setenv("SOFTDTW_LEARN_ARCHIVE_URL", server)
    monkeypatch.setattr(_fetcher, "ARCHIVE_SHA256", {})
    return tmp_path / "cache"


def test_download_extracts_into_the_cache_and_pads(archive):
    data = load_ucr("Toy", data_home=archive)
    assert data.X_train.shape == (2, 4) and data.X_test.shape == (1, 4)
    np.testing.assert_array_equal(data.X_train[0], [1, 2, 3, np.nan])
    assert data.y_train.tolist() == ["a", "b"]
    assert "127.0.0.1" in data.DESCR and "UCR Time Series Archive" in data.DESCR
    assert sorted(p.name for p in archive.iterdir()) == ["Toy"]
    # The second load reads the cache, even with downloads off.
    again = load_ucr("Toy", data_home=archive, download=False, return_X_y=True)
    np.testing.assert_array_equal(again[0], data.X_train)


def test_recorded_checksum_is_verified(archive, monkeypatch):
    good = hashlib.sha256(ROUTES["/Hashed.zip"]).hexdigest()
    monkeypatch.setattr(_fetcher, "ARCHIVE_SHA256", {"Hashed": good})
    assert load_ucr("Hashed", data_home=archive).X_train.shape == (2, 4)


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("Nope", ValueError, r"'Nope' was not found at .*HTTP 404"),
        ("Truncated", ConnectionError, r"download of Truncated .* failed"),
        ("Hashed", ValueError, r"failed its sha256 check"),
        ("Corrupt", ValueError, r"not a valid zip archive"),
        ("Empty", ValueError, r"has no Empty_TRAIN file"),
    ],
)
def test_failed_downloads_leave_nothing_in_the_cache(
    archive, monkeypatch, name, error, message
):
    monkeypatch.setattr(_fetcher, "ARCHIVE_SHA256", {"Hashed": "0" * 64})
    with pytest.raises(error, match=message):
        load_ucr(name, data_home=archive)
    assert not archive.exists() or list(archive.iterdir()) == []


def test_no_download_says_where_it_looked(tmp_path):
    with pytest.raises(ValueError, match=r"not bundled .* and not in .*Toy"):
        load_ucr("Toy", data_home=tmp_path, download=False)


def test_environment_variable_sets_the_cache(tmp_path, monkeypatch):
    folder = tmp_path / "Local"
    folder.mkdir()
    (folder / "Local_TRAIN.tsv").write_text("1\t0.5\t1.5\n")
    (folder / "Local_TEST.tsv").write_text("2\t2.5\t3.5\t4.5\n")
    monkeypatch.setenv("SOFTDTW_LEARN_DATA", str(tmp_path))
    X_train, y_train, X_test, y_test = load_ucr(
        "Local", download=False, return_X_y=True
    )
    np.testing.assert_array_equal(X_train, [[0.5, 1.5, np.nan]])
    assert y_test.tolist() == [2]


def test_bundled_sets_come_first(tmp_path):
    data = load_ucr("ECG200", data_home=tmp_path, download=False)
    np.testing.assert_array_equal(data.X_train, load_ecg200().X_train)


@pytest.mark.parametrize("name", ["", "../etc", None])
def test_bad_names_are_rejected(name):
    with pytest.raises(ValueError, match=r"name must be an archive dataset name"):
        load_ucr(name, download=False)
