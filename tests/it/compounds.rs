//! Compound splitting, measured on the hand-split list `resources/compounds/hand-split.tsv`
//! (its rules are in the README beside it), and compounds in searches: a part finds the
//! compound below an exact match, a compound finds its parts near each other below an
//! exact match. Needs the word lists of `hunspell-no`.

use arkiv::index::{compound_parts, norwegian, raw_parts, terms};

use crate::support::programs;

const HAND_SPLIT: &str = include_str!("../../resources/compounds/hand-split.tsv");

/// The stem the index gives a word.
fn stem(word: &str) -> String {
    terms(&mut norwegian(), word)
        .into_iter()
        .next()
        .unwrap_or_default()
}

/// Whether a part the splitter cut (as it stands in the word) is the hand-split part (a
/// word as the dictionary has it): the same stem, or the same word with an ending
/// ("utøveren" for "utøver").
fn same_part(found: &str, hand: &str) -> bool {
    let (short, long) = if found.len() <= hand.len() {
        (found, hand)
    } else {
        (hand, found)
    };
    stem(found) == stem(hand)
        || (long.starts_with(short) && long.chars().count() - short.chars().count() <= 3)
}

/// The parts the splitter cuts a word into, as they stand in it (the word itself when it
/// is not split).
fn cut(word: &str) -> Vec<String> {
    raw_parts(&word.to_lowercase()).unwrap_or_else(|| vec![word.to_lowercase()])
}

/// (word, its parts as written in the list) for every line of the list.
fn hand_parts() -> Vec<(String, Vec<String>)> {
    HAND_SPLIT
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (word, parts) = l.split_once('\t').expect("word<TAB>parts");
            (
                word.to_string(),
                parts.split_whitespace().map(str::to_string).collect(),
            )
        })
        .collect()
}

/// The splitter's parts of a word, as stems; the word's own stem when it is not split.
fn split(word: &str) -> Vec<String> {
    compound_parts(&word.to_lowercase()).unwrap_or_else(|| vec![stem(word)])
}

#[test]
fn the_splitter_finds_the_parts_people_see() {
    if programs::require(["hunspell-no"]).is_none() {
        return;
    }
    let list = hand_parts();
    let compounds: Vec<_> = list.iter().filter(|(_, p)| p.len() >= 2).collect();
    assert!(compounds.len() >= 300, "{} compounds", compounds.len());
    let (mut found, mut right, mut expected) = (0usize, 0usize, 0usize);
    let mut wrong = Vec::new();
    for (word, parts) in &compounds {
        let got = cut(word);
        // Each hand part is matched by at most one part found.
        let mut unmatched: Vec<&String> = parts.iter().collect();
        let mut hits = 0;
        for g in &got {
            if let Some(i) = unmatched.iter().position(|h| same_part(g, h)) {
                unmatched.remove(i);
                hits += 1;
            }
        }
        found += got.len();
        right += hits;
        expected += parts.len();
        if hits != got.len() || hits != parts.len() {
            wrong.push(format!("{word}: {got:?} (hand: {parts:?})"));
        }
    }
    let precision = right as f64 / found as f64;
    let recall = right as f64 / expected as f64;
    eprintln!(
        "compound parts: precision {:.3}, recall {:.3} over {} compounds; differing:\n{}",
        precision,
        recall,
        compounds.len(),
        wrong.join("\n")
    );
    assert!(precision >= 0.95, "precision {precision:.3}");
    assert!(recall >= 0.90, "recall {recall:.3}");
}

#[test]
fn words_that_are_not_compounds_stay_whole() {
    if programs::require(["hunspell-no"]).is_none() {
        return;
    }
    let whole: Vec<_> = hand_parts()
        .into_iter()
        .filter(|(_, p)| p.len() == 1)
        .collect();
    assert!(whole.len() >= 30, "{}", whole.len());
    let cut_wrongly: Vec<String> = whole
        .iter()
        .filter(|(word, _)| cut(word).len() > 1)
        .map(|(word, _)| format!("{word}: {:?}", cut(word)))
        .collect();
    eprintln!("words cut that are not compounds: {cut_wrongly:?}");
    // Measured: 7 of 35 (BENCHMARKS.md); a word the lists know whole may still be cut
    // into two words ("kontroll" → "kont" + "roll"), which costs precision, not recall.
    assert!(
        cut_wrongly.len() * 4 <= whole.len(),
        "{} of {}: {cut_wrongly:?}",
        cut_wrongly.len(),
        whole.len()
    );
    for word in ["handling", "relasjoner", "etterforskning", "sår", "sar"] {
        assert_eq!(cut(word).len(), 1, "{word}: {:?}", cut(word));
    }
}

#[test]
fn joining_letters_and_letters_of_their_own() {
    if programs::require(["hunspell-no"]).is_none() {
        return;
    }
    assert_eq!(split("voldsutsatt"), [stem("vold"), stem("utsatt")]);
    assert_eq!(split("barnevernet"), [stem("barn"), stem("vern")]);
    assert_eq!(split("kvinnedrapene"), [stem("kvinne"), stem("drap")]);
    // æ, ø and å are letters of their own: "sårbehandling" is not "sarbehandling".
    let with = split("sårbehandling");
    assert!(with.contains(&stem("sår")), "{with:?}");
    assert!(!with.contains(&stem("sar")), "{with:?}");
}

/// A splitter is built once and kept: a later process reads the same splitter from the
/// cache folder; other word lists or another stemmer name another file; a damaged file is
/// built again and replaced; a cache folder that cannot be written still gives a splitter.
#[test]
fn the_splitter_is_kept_between_runs_and_built_again_when_its_sources_change() {
    use arkiv::norwegian::{Dictionaries, Splitter, cache};
    let Some([system]) = programs::require(["hunspell-no"]) else {
        return;
    };
    let lists = tempfile::tempdir().unwrap();
    for name in ["nb_NO.aff", "nb_NO.dic", "nn_NO.aff", "nn_NO.dic"] {
        std::fs::copy(system.join(name), lists.path().join(name)).unwrap();
    }
    let kept = tempfile::tempdir().unwrap();
    let builds = std::cell::Cell::new(0);
    let build = || {
        builds.set(builds.get() + 1);
        let dictionaries = Dictionaries::load(lists.path()).unwrap();
        Some(Splitter::new(&dictionaries, &mut arkiv::index::stem))
    };
    let files = || {
        let mut names: Vec<_> = std::fs::read_dir(kept.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        names.sort();
        names
    };
    let splits = |splitter: &Splitter| {
        [
            "kvinnedrapene",
            "voldsutsatte",
            "krisesenterlova",
            "handling",
        ]
        .map(|w| {
            splitter
                .split(w, &mut arkiv::index::stem)
                .map(|p| p.join("+"))
        })
    };
    let stemmer = arkiv::index::STEMMER;

    let first = cache::splitter(Some(kept.path()), lists.path(), stemmer, build).unwrap();
    assert_eq!(builds.get(), 1);
    assert_eq!(files().len(), 1, "{:?}", files());
    assert_eq!(splits(&first)[0].as_deref(), Some("kvinne+drapene"));
    let read = cache::splitter(Some(kept.path()), lists.path(), stemmer, build).unwrap();
    assert_eq!(builds.get(), 1, "a kept splitter was built again");
    assert!(
        read == first,
        "the kept splitter differs from the one built"
    );
    assert_eq!(splits(&read), splits(&first));

    cache::splitter(Some(kept.path()), lists.path(), "another stemmer", build).unwrap();
    assert_eq!(builds.get(), 2, "another stemmer read the kept splitter");
    assert_eq!(files().len(), 2);

    let dic = lists.path().join("nb_NO.dic");
    let mut words = std::fs::read(&dic).unwrap();
    words.extend_from_slice(b"arkivordet\n");
    std::fs::write(&dic, words).unwrap();
    let changed = cache::splitter(Some(kept.path()), lists.path(), stemmer, build).unwrap();
    assert_eq!(
        builds.get(),
        3,
        "a changed word list read the kept splitter"
    );
    assert!(changed != first);
    assert_eq!(files().len(), 3);
    for other in ["a third stemmer", "a fourth stemmer"] {
        cache::splitter(Some(kept.path()), lists.path(), other, build).unwrap();
    }
    assert_eq!(builds.get(), 5);
    assert_eq!(files().len(), 4, "old splitters were not removed");

    for file in files() {
        let bytes = std::fs::read(&file).unwrap();
        std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    }
    let repaired = cache::splitter(Some(kept.path()), lists.path(), stemmer, build).unwrap();
    assert_eq!(builds.get(), 6, "a damaged file was read");
    assert!(repaired == changed);
    cache::splitter(Some(kept.path()), lists.path(), stemmer, build).unwrap();
    assert_eq!(builds.get(), 6, "the damaged file was not replaced");

    let not_a_folder = kept.path().join("splitter-file-in-the-way");
    std::fs::write(&not_a_folder, b"x").unwrap();
    let unkept = cache::splitter(Some(&not_a_folder), lists.path(), stemmer, build).unwrap();
    assert!(unkept == changed);
    assert_eq!(builds.get(), 7);
    assert!(Splitter::from_bytes(b"arkiv compound splitter 1\n1\n2word\n0\n").is_none());
}
