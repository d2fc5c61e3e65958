from csto_brief import provenance


def test_every_raw_file_has_a_record_and_matching_checksum():
    assert provenance.verify() == []
    assert len(provenance.raw_files()) >= 6


def test_edited_file_fails_its_checksum(raw_copy):
    f = raw_copy / "countries.csv"
    f.write_text(f.read_text(encoding="utf-8") + "XXX,Nowhere,Nowhere\n", encoding="utf-8")
    found = provenance.verify(raw_copy)
    assert {p.rule for p in found} == {"checksum"} and all("countries.csv" in p.file for p in found)


def test_file_without_record_and_record_without_file(raw_copy):
    (raw_copy / "new.csv").write_text("a\n1\n", encoding="utf-8")
    (raw_copy / "sources.csv").unlink()
    msgs = [str(p) for p in provenance.verify(raw_copy)]
    assert any("new.csv" in m and "no provenance record" in m for m in msgs)
    assert any("sources.csv" in m and "file is missing" in m for m in msgs)


def test_record_lacking_licence(raw_copy):
    rec = raw_copy / "claims.csv.meta.yml"
    rec.write_text(rec.read_text(encoding="utf-8").replace("license:", "licence_typo:"), encoding="utf-8")
    assert any("origin lacks 'license'" in str(p) for p in provenance.verify(raw_copy))
