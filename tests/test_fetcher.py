"""load_ucr with pooch's downloads replaced by local zips: no test opens a socket.

``pooch.retrieve`` is wrapped so that pooch itself still runs (its checksum
check, its temporary file, its log lines) with a downloader that copies bytes
built here instead of fetching a URL.
"""

import errno
import hashlib
import io
import logging
import socket
import zipfile
from pathlib import Path

import numpy as np
import pooch
import pytest
import requests

from softdtw_learn.datasets import _fetcher, load_ecg200, load_ucr

TRAIN = "1\t1.0\t2.0\t3.0\n2\t4.0\t5.0\t6.0\n"
TEST = "2\t7.0\t8.0\t9.0\t10.0\n"
TS_TRAIN = (
    "@problemName Toy\n@timeStamps false\n@missing false\n@univariate true\n"
    "@equalLength true\n@seriesLength 3\n@classLabel true a b\n@data\n"
    "1,2,3:a\n4,5,6:b\n"
)
TS_TEST = TS_TRAIN.replace("1,2,3:a\n4,5,6:b\n", "7,8,9:b\n")
UNREADABLE = "1\t0.5\tnot-a-number\n"


def _zip(files, compression=zipfile.ZIP_STORED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as zf:
        for member, text in files.items():
            zf.writestr(member, text)
    return buffer.getvalue()


def _toy(name="Toy", folder="Toy/"):
    return _zip({f"{folder}{name}_TRAIN.tsv": TRAIN, f"{folder}{name}_TEST.tsv": TEST})


def _damaged_member(name):
    """A zip whose directory is intact but whose compressed data is not."""
    member = f"{name}_TRAIN.tsv"
    files = {member: TRAIN * 50, f"{name}_TEST.tsv": TEST * 50}
    body = bytearray(_zip(files, zipfile.ZIP_DEFLATED))
    start = body.index(member.encode()) + len(member)
    for k in range(start + 4, start + 24):
        body[k] ^= 0xFF
    return bytes(body)


def _http_error(status):
    response = requests.Response()
    response.status_code = status
    response.url = "http://mirror.invalid/x.zip"
    return requests.HTTPError(f"{status} error", response=response)


class _Half:
    """Write the first half of ``body``, then break off like a lost connection."""

    def __init__(self, body, error):
        self.body, self.error = body, error

    def write(self, path):
        Path(path).write_bytes(self.body[: len(self.body) // 2])
        raise self.error


class Archive:
    """What the fake server holds: a name -> bytes, an exception or a _Half."""

    def __init__(self):
        self.routes = {}
        self.calls = []
        self.hook = None  # called before each download (to simulate races)

    def __call__(self, url, **kwargs):
        self.calls.append((url, kwargs))

        def downloader(url, output_file, pooch_, check_only=False):
            if self.hook is not None:
                self.hook()
            pooch.get_logger().info("fake downloader fetching %s", url)
            body = self.routes.get(url.rsplit("/", 1)[-1])
            if body is None:
                raise _http_error(404)
            if isinstance(body, BaseException):
                raise body
            if isinstance(body, _Half):
                body.write(output_file)
            Path(output_file).write_bytes(body)

        return _REAL_RETRIEVE(url, downloader=downloader, **kwargs)


_REAL_RETRIEVE = pooch.retrieve


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Fail any test that tries to open a connection."""
    tries = []

    def refuse(sock, address):
        tries.append(address)
        raise OSError(f"test tried to connect to {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    yield
    assert tries == []


@pytest.fixture
def archive(monkeypatch):
    server = Archive()
    server.routes["Toy.zip"] = _toy()
    monkeypatch.setattr(pooch, "retrieve", server)
    monkeypatch.setenv("SOFTDTW_LEARN_ARCHIVE_URL", "https://mirror.invalid/ucr/")
    monkeypatch.setattr(_fetcher, "ARCHIVE_SHA256", {})
    return server


@pytest.fixture
def home(tmp_path):
    return tmp_path / "cache"


def _entries(folder):
    """Every path under ``folder`` (hidden staging folders included)."""
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*"))


def test_download_extracts_into_the_cache_and_pads(archive, home):
    data = load_ucr("Toy", data_home=home)
    assert data.X_train.shape == (2, 4) and data.X_test.shape == (1, 4)
    np.testing.assert_array_equal(data.X_train[0], [1, 2, 3, np.nan])
    assert data.y_train.tolist() == [1, 2]
    assert "https://mirror.invalid/ucr/Toy.zip" in data.DESCR
    assert "UCR Time Series Archive" in data.DESCR
    assert _entries(home) == [
        "Toy",
        "Toy/Toy",
        "Toy/Toy/Toy_TEST.tsv",
        "Toy/Toy/Toy_TRAIN.tsv",
    ]
    assert [url for url, _ in archive.calls] == ["https://mirror.invalid/ucr/Toy.zip"]
    # The second load reads the cache, even with downloads off.
    again = load_ucr("Toy", data_home=home, download=False, return_X_y=True)
    np.testing.assert_array_equal(again[0], data.X_train)
    assert len(archive.calls) == 1


class _Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def test_pooch_gets_a_progress_bar_and_its_log_lines_stay_hidden(archive, home, capfd):
    logger = pooch.get_logger()
    before = logger.level
    records = _Records()
    logger.addHandler(records)
    logger.setLevel(logging.INFO)
    try:
        load_ucr("Toy", data_home=home)
        assert archive.calls[0][1]["progressbar"] is True
        assert records.lines == []
        assert logger.level == logging.INFO and logger.filters == []
        # Also when the download fails.
        archive.routes["Bad.zip"] = b"not a zip"
        with pytest.raises(ValueError, match="not a valid zip"):
            load_ucr("Bad", data_home=home)
        assert records.lines == [] and logger.filters == []
        assert capfd.readouterr() == ("", "")
        # Outside load_ucr, pooch's lines are emitted as before.
        _REAL_RETRIEVE(
            "https://mirror.invalid/ucr/Toy.zip",
            path=home / "direct",
            downloader=lambda url, out, _: Path(out).write_bytes(b"x"),
        )
        assert any("Downloading data from" in line for line in records.lines)
    finally:
        logger.removeHandler(records)
        logger.setLevel(before)


def test_recorded_checksum_is_verified(archive, home, monkeypatch):
    good = hashlib.sha256(archive.routes["Toy.zip"]).hexdigest()
    monkeypatch.setattr(_fetcher, "ARCHIVE_SHA256", {"Toy": good})
    assert load_ucr("Toy", data_home=home).X_train.shape == (2, 4)
    assert archive.calls[0][1]["known_hash"] == f"sha256:{good}"


FAILED_DOWNLOADS = {
    # name: (what the server answers, error class, message)
    "Nope": (None, ValueError, r"'Nope' was not found at \S+Nope.zip \(HTTP 404\)"),
    "Busy": (_http_error(503), ConnectionError, r"Busy from \S+ failed \(HTTP 503\)"),
    "Offline": (
        requests.ConnectionError("Name or service not known"),
        ConnectionError,
        r"download of Offline from https://mirror.invalid/ucr/Offline.zip failed "
        r"\(ConnectionError: Name or service not known\)",
    ),
    "Slow": (requests.Timeout("read timed out"), ConnectionError, r"Timeout"),
    "Partial": (
        _Half(_toy("Partial"), requests.exceptions.ChunkedEncodingError("broken")),
        ConnectionError,
        r"download of Partial .* failed \(ChunkedEncodingError",
    ),
    "DiskFull": (
        OSError(errno.ENOSPC, "No space left on device"),
        OSError,
        r"download of DiskFull .* could not be written into .*cache \(No space left",
    ),
    "Hashed": (_toy("Hashed"), ValueError, r"Hashed .* failed its sha256 check"),
    "Corrupt": (
        b"PK\x03\x04 not a zip",
        ValueError,
        r"for 'Corrupt' is not a valid zip",
    ),
    "Truncated": (_toy("Truncated")[:-40], ValueError, r"not a valid zip archive"),
    "Empty": (b"", ValueError, r"not a valid zip archive"),
    "Damaged": (
        _damaged_member("Damaged"),
        ValueError,
        r"'Damaged' is not a valid zip",
    ),
    "Readme": (_zip({"README.txt": "x"}), ValueError, r"has no Readme_TRAIN file"),
    "NoTest": (
        _zip({"NoTest/NoTest_TRAIN.tsv": TRAIN}),
        ValueError,
        r"NoTest.zip from \S+ has no NoTest_TEST file",
    ),
    "BadTrain": (
        _zip({"BadTrain_TRAIN.tsv": UNREADABLE, "BadTrain_TEST.tsv": TEST}),
        ValueError,
        r"BadTrain.zip from \S+ holds a file that cannot be read "
        r"\(BadTrain.zip/BadTrain_TRAIN.tsv: line 1.*nothing was cached",
    ),
    "BadTest": (
        _zip({"B/BadTest_TRAIN.tsv": TRAIN, "B/BadTest_TEST.tsv": ""}),
        ValueError,
        r"BadTest.zip/B/BadTest_TEST.tsv",
    ),
    "Binary": (
        _zip({"Binary_TRAIN.tsv": b"\x00\x01\x02", "Binary_TEST.tsv": TEST}),
        ValueError,
        r"Binary.zip/Binary_TRAIN.tsv",
    ),
}


@pytest.mark.parametrize("name", list(FAILED_DOWNLOADS))
def test_failed_downloads_leave_nothing_in_the_cache(archive, home, monkeypatch, name):
    body, error, message = FAILED_DOWNLOADS[name]
    archive.routes[f"{name}.zip"] = body
    monkeypatch.setattr(_fetcher, "ARCHIVE_SHA256", {"Hashed": "0" * 64})
    with pytest.raises(error, match=message) as info:
        load_ucr(name, data_home=home)
    chained = info.value.__cause__ or (
        None if info.value.__suppress_context__ else info.value.__context__
    )
    assert chained is None  # one message, not a traceback of pooch's internals
    assert f"{name}" in str(info.value) and "nothing was cached" in str(info.value)
    assert _entries(home) == []  # no cache folder, no staging left behind
    # The next call tries again instead of failing on a poisoned cache.
    archive.routes[f"{name}.zip"] = _toy(name)
    monkeypatch.setattr(_fetcher, "ARCHIVE_SHA256", {})
    assert load_ucr(name, data_home=home).X_train.shape == (2, 4)


def test_network_errors_say_how_to_get_the_data_by_hand(archive, home):
    archive.routes["Offline.zip"] = requests.ConnectionError("no route")
    with pytest.raises(OSError, match=r"download Offline.zip yourself") as info:
        load_ucr("Offline", data_home=home)
    assert f"extract it into {home / 'Offline'}" in str(info.value)
    assert f"data_home={str(home)!r}, download=False" in str(info.value)


def test_a_full_disk_during_extraction_leaves_nothing(archive, home, monkeypatch):
    def full(self, path=None, members=None, pwd=None):
        Path(path).mkdir(parents=True)
        (Path(path) / "Toy_TRAIN.tsv").write_text(TRAIN[:5])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "extractall", full)
    with pytest.raises(OSError, match=r"archive Toy.zip could not be written into"):
        load_ucr("Toy", data_home=home)
    assert _entries(home) == []


def test_an_interrupted_download_leaves_nothing(archive, home):
    archive.routes["Toy.zip"] = _Half(_toy(), KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        load_ucr("Toy", data_home=home)
    assert _entries(home) == []


@pytest.mark.parametrize(
    "files",
    [
        {"Toy_TRAIN.tsv": TRAIN, "Toy_TEST.tsv": TEST},  # at the root
        {
            "UCRArchive_2018/Toy/Toy_TRAIN.tsv": TRAIN,
            "UCRArchive_2018/Toy/Toy_TEST.tsv": TEST,
        },
        {  # UEA: one file per dimension next to the dataset's own
            "Toy/ToyDimension1_TRAIN.tsv": UNREADABLE,
            "Toy/ToyDimension1_TEST.tsv": UNREADABLE,
            "Toy/Toy_TRAIN.tsv": TRAIN,
            "Toy/Toy_TEST.tsv": TEST,
            "Toy/Toy_TRAIN.txt": UNREADABLE,  # .tsv is preferred
        },
        {"Toy/": "", "Toy/Toy_TRAIN.tsv": TRAIN, "Toy/Toy_TEST.tsv": TEST},  # dir entry
    ],
    ids=["root", "nested", "dimensions", "directory-entry"],
)
def test_archive_layouts_load_alike(archive, home, files):
    archive.routes["Toy.zip"] = _zip(files)
    X_train, y_train, X_test, _ = load_ucr("Toy", data_home=home, return_X_y=True)
    np.testing.assert_array_equal(X_train, [[1, 2, 3, np.nan], [4, 5, 6, np.nan]])
    np.testing.assert_array_equal(X_test, [[7, 8, 9, 10]])
    assert y_train.tolist() == [1, 2]


def test_ts_archive_with_a_full_header(archive, home):
    archive.routes["Toy.zip"] = _zip(
        {"Toy/Toy_TRAIN.ts": TS_TRAIN, "Toy/Toy_TEST.ts": TS_TEST}, zipfile.ZIP_DEFLATED
    )
    data = load_ucr("Toy", data_home=home)
    np.testing.assert_array_equal(data.X_test, [[7, 8, 9]])
    assert data.y_train.tolist() == ["a", "b"]


def test_members_cannot_escape_the_staging_folder(archive, home, tmp_path):
    archive.routes["Toy.zip"] = _zip(
        {
            "../../escaped_TRAIN.tsv": TRAIN,
            "/absolute_TEST.tsv": TEST,
            "Toy_TRAIN.tsv": TRAIN,
            "Toy_TEST.tsv": TEST,
        }
    )
    assert load_ucr("Toy", data_home=home).X_train.shape == (2, 4)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache"]
    assert sorted(p.name for p in home.iterdir()) == ["Toy"]


# ------------------------------------------------------------- the cache


def _half_filled(home, name="Toy"):
    folder = home / name / name
    folder.mkdir(parents=True)
    (folder / f"{name}_TRAIN.tsv").write_text("1\t0.0\t0.0\n")
    return folder.parent


def test_half_filled_cache_is_replaced_by_a_fresh_download(archive, home):
    _half_filled(home)
    data = load_ucr("Toy", data_home=home)
    np.testing.assert_array_equal(data.X_train[:, :3], [[1, 2, 3], [4, 5, 6]])
    assert _entries(home) == [
        "Toy",
        "Toy/Toy",
        "Toy/Toy/Toy_TEST.tsv",
        "Toy/Toy/Toy_TRAIN.tsv",
    ]
    assert load_ucr("Toy", data_home=home, download=False).X_test.shape == (1, 4)


def test_half_filled_cache_is_reported_without_downloads(archive, home):
    _half_filled(home)
    with pytest.raises(
        ValueError,
        match=r"Toy of 'Toy' is incomplete: it has Toy_TRAIN.tsv but no "
        r"Toy_TEST file .*pass download=True to replace it",
    ):
        load_ucr("Toy", data_home=home, download=False)
    assert archive.calls == []


def test_half_filled_cache_survives_a_failed_repair(archive, home):
    before = _entries(_half_filled(home).parent)
    archive.routes["Toy.zip"] = b"garbage"
    with pytest.raises(ValueError, match="not a valid zip"):
        load_ucr("Toy", data_home=home)
    assert _entries(home) == before


@pytest.mark.parametrize("make", ["empty-folder", "split-is-a-folder"])
def test_unusable_cache_folders_are_downloaded_again(archive, home, make):
    (home / "Toy").mkdir(parents=True)
    if make == "split-is-a-folder":
        (home / "Toy" / "Toy_TRAIN.tsv").mkdir()
        (home / "Toy" / "Toy_TEST.tsv").mkdir()
    assert load_ucr("Toy", data_home=home).X_train.shape == (2, 4)
    assert len(archive.calls) == 1


def test_cache_path_that_is_a_file_is_reported(archive, home):
    home.mkdir()
    (home / "Toy").write_text("not a folder")
    with pytest.raises(ValueError, match=r"Toy is a file, not the cache folder"):
        load_ucr("Toy", data_home=home)
    assert archive.calls == []


def test_unreadable_cached_file_says_how_to_repair(archive, home):
    folder = home / "Toy"
    folder.mkdir(parents=True)
    (folder / "Toy_TRAIN.tsv").write_text(UNREADABLE)
    (folder / "Toy_TEST.tsv").write_text(TEST)
    with pytest.raises(
        ValueError,
        match=r"Toy_TRAIN.tsv: line 1.* delete that folder and call "
        r"load_ucr\('Toy'\) to download it again",
    ):
        load_ucr("Toy", data_home=home)
    assert archive.calls == []


def test_copy_installed_by_another_process_meanwhile_is_kept(archive, home):
    def other_process():
        folder = home / "Toy"
        folder.mkdir()
        (folder / "Toy_TRAIN.tsv").write_text(TRAIN)
        (folder / "Toy_TEST.tsv").write_text(TEST)

    archive.hook = other_process
    assert load_ucr("Toy", data_home=home).X_test.shape == (1, 4)
    assert _entries(home) == ["Toy", "Toy/Toy_TEST.tsv", "Toy/Toy_TRAIN.tsv"]


def test_no_download_says_where_it_looked_and_how_to_get_it(archive, tmp_path):
    with pytest.raises(
        ValueError,
        match=r"'Toy' is not bundled .* and not in .*Toy; pass "
        r"download=True to download it, or put Toy_TRAIN and Toy_TEST",
    ):
        load_ucr("Toy", data_home=tmp_path, download=False)
    assert archive.calls == [] and list(tmp_path.iterdir()) == []


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


# ------------------------------------------------------------- arguments


@pytest.mark.parametrize(
    "name",
    [
        "",
        ".",
        "..",
        "../etc",
        "a/b",
        "a\\b",
        ".hidden",
        "_Toy",
        "-Toy",
        "Gun Point",
        " Toy",
        "Toy ",
        "Toy\n",
        "Toy\t",
        "Gün",
        "Toy*",
        "Toy.zip",
        "x" * 101,
        None,
        5,
        b"Toy",
        ["Toy"],
    ],
)
def test_bad_names_are_rejected_before_any_file_or_download(archive, home, name):
    with pytest.raises(
        ValueError, match=r"name must be an archive dataset name: ASCII letters"
    ):
        load_ucr(name, data_home=home)
    assert archive.calls == [] and not home.exists()


@pytest.mark.parametrize("name", ["PEMS-SF", "50words", "Toy_2", "x" * 100])
def test_archive_style_names_pass_the_check(home, name):
    with pytest.raises(ValueError, match=rf"'{name}' is not bundled"):
        load_ucr(name, data_home=home, download=False)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"download": "no"}, r"download must be True or False, got 'no'"),
        ({"download": None}, r"download must be True or False"),
        ({"return_X_y": 1}, r"return_X_y must be True or False, got 1"),
        ({"data_home": 5}, r"data_home must be a folder path .* got 5"),
        ({"data_home": ""}, r"data_home must be a folder path"),
        ({"data_home": b"/tmp"}, r"data_home must be a folder path"),
    ],
)
def test_bad_arguments_are_rejected(archive, kwargs, message):
    with pytest.raises(ValueError, match=message):
        load_ucr("Toy", **kwargs)
    assert archive.calls == []


def test_data_home_that_is_a_file(archive, tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(ValueError, match=r"data_home=.*file' is a file"):
        load_ucr("Toy", data_home=tmp_path / "file")
    with pytest.raises(OSError, match=r"cannot write to the cache folder data_home"):
        load_ucr("Toy", data_home=tmp_path / "file" / "below")
    assert archive.calls == []


def test_data_home_expands_the_user_folder(archive, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    load_ucr("Toy", data_home="~/ucr")
    assert (tmp_path / "ucr" / "Toy").is_dir()


@pytest.mark.parametrize("url", ["mirror.invalid/ucr", "file:///tmp/ucr", "https://"])
def test_bad_archive_url_is_reported(archive, home, monkeypatch, url):
    monkeypatch.setenv("SOFTDTW_LEARN_ARCHIVE_URL", url)
    with pytest.raises(ValueError, match=r"SOFTDTW_LEARN_ARCHIVE_URL must be an http"):
        load_ucr("Toy", data_home=home)
    assert archive.calls == []
