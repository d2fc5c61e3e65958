import hashlib

from csto_brief import paths, provenance


def test_every_raw_file_has_a_record_and_matching_checksum():
    assert provenance.verify() == []
    on_disk = sorted(p for p in paths.RAW_DIR.rglob("*") if p.is_file() and not p.name.endswith(".meta.yml"))
    assert sorted(provenance.raw_files()) == on_disk and len(on_disk) >= 6
    for f in on_disk:  # each record names its file with the file's own SHA-256 and size
        rec = provenance.load_record(f)
        outs = [o for o in rec["outs"] if o["path"] == f.name]
        assert len(outs) == 1, f
        assert outs[0]["sha256"] == hashlib.sha256(f.read_bytes()).hexdigest() and outs[0]["size"] == f.stat().st_size
        assert all(rec["origin"].get(k) for k in provenance.ORIGIN_FIELDS), f


def test_edited_file_fails_its_checksum(raw_copy):
    f = raw_copy / "countries.csv"
    f.write_text(f.read_text(encoding="utf-8") + "XXX,Nowhere,Nowhere\n", encoding="utf-8")
    found = provenance.verify(raw_copy)
    assert {p.rule for p in found} == {"checksum"} and all("countries.csv" in p.file for p in found)
    assert [p.message.split(" ", 1)[0] for p in found] == ["SHA-256", "size"], [str(p) for p in found]
    assert "python -m csto_brief.provenance update" in found[0].message  # says how to mend it


def test_file_without_record_and_record_without_file(raw_copy):
    (raw_copy / "new.csv").write_text("a\n1\n", encoding="utf-8")
    (raw_copy / "sources.csv").unlink()
    msgs = [str(p) for p in provenance.verify(raw_copy)]
    assert any("new.csv" in m and "no provenance record" in m for m in msgs)
    assert any("sources.csv" in m and "file is missing" in m for m in msgs)


def test_record_lacking_licence(raw_copy):
    rec = raw_copy / "claims.csv.meta.yml"
    rec.write_text(rec.read_text(encoding="utf-8").replace("license:", "licence_typo:"), encoding="utf-8")
    found = provenance.verify(raw_copy)
    assert len(found) == 1 and "claims.csv" in found[0].file, [str(p) for p in found]
    assert "origin lacks 'license'" in str(found[0])
