//! Norwegian laws a text refers to, with or without a section: "straffeloven § 282",
//! "§ 282 i straffeloven", "strl. §§ 282 og 283", "straffeprosessloven § 222 a",
//! "lov om krisesentertilbod (krisesenterlova) § 2".
//!
//! One table, [`LAWS`], holds every law arkiv knows: its id (the common short name), the
//! names it goes by in bokmål and nynorsk with their inflections, its abbreviations, and its
//! Lovdata identifier. A section with no law ("§ 282" alone) counts only when a law was named
//! earlier in the same passage, the way a bare article counts for a convention. Regulations
//! (forskrifter) and EU instruments (GDPR) are recognised only so that their sections are not
//! taken for a law's.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;

use super::normalize;

/// One law of the table.
#[derive(Debug)]
pub struct Law {
    /// The common short name, as used in URLs, the index and the JSON API.
    pub id: &'static str,
    /// The short name as written, for people.
    pub name: &'static str,
    /// The full title.
    pub title: &'static str,
    /// Lovdata's identifier without the `LOV-` prefix (`2005-05-20-28`), or `None` when it
    /// could not be verified from a public source; such a law gets no link.
    pub lovdata: Option<&'static str>,
    /// The year the law was passed, which tells apart laws of the same family
    /// ("barnevernloven 1992" and "barnevernsloven 2021").
    year: u16,
    /// Laws of one family share it; a name followed by a year picks the family's law of that year.
    family: &'static str,
    /// Regex alternatives (lowercase) over normalised text for the names, inflected.
    names: &'static [&'static str],
    /// Abbreviations without their final period; they count only right before a "§".
    abbreviations: &'static [&'static str],
}

impl Law {
    /// `LOV-2005-05-20-28`, when verified.
    pub fn identifier(&self) -> Option<String> {
        self.lovdata.map(|id| format!("LOV-{id}"))
    }

    /// The law at Lovdata, or one of its sections: `https://lovdata.no/lov/2005-05-20-28/§282`.
    pub fn lovdata_url(&self, section: Option<&str>) -> Option<String> {
        let id = self.lovdata?;
        Some(match section {
            Some(s) => format!("https://lovdata.no/lov/{id}/§{s}"),
            None => format!("https://lovdata.no/lov/{id}"),
        })
    }
}

/// An inflected short name: the stem plus the definite, genitive and nynorsk endings.
macro_rules! lov {
    ($stem:literal) => {
        concat!($stem, r"(?:en|a)?s?")
    };
}

/// Every law arkiv knows, in the order lists show them. Each identifier was checked against
/// the public source named in the comment above its row; where none could be found the
/// identifier is `None` and the law has no link.
pub static LAWS: [Law; 27] = [
    // regjeringen.no, Ot.prp. nr. 22 (2008–2009): "straffeloven 20. mai 2005 nr. 28";
    // lokalhistoriewiki.no "Straffeloven av 2005".
    Law {
        id: "straffeloven",
        name: "straffeloven",
        title: "Lov om straff",
        lovdata: Some("2005-05-20-28"),
        year: 2005,
        family: "straffeloven",
        names: &[lov!("straffelov"), r"lov om straff"],
        abbreviations: &["strl"],
    },
    // lovdata.no/dokument/NL/lov/1981-05-22-25: "Dato LOV-1981-05-22-25".
    Law {
        id: "straffeprosessloven",
        name: "straffeprosessloven",
        title: "Lov om rettergangsmåten i straffesaker",
        lovdata: Some("1981-05-22-25"),
        year: 1981,
        family: "straffeprosessloven",
        names: &[
            lov!("straffeprosesslov"),
            r"lov om rettergangsmåten i straffesaker",
        ],
        abbreviations: &["strpl"],
    },
    // karnovgroup.no "Lov om barn og foreldre (barnelova)": "lov 8. april 1981 nr. 7";
    // lovdata.no/dokument/NL/lov/1981-04-08-7 linked from barnefordelingadvokat.no.
    Law {
        id: "barneloven",
        name: "barneloven",
        title: "Lov om barn og foreldre",
        lovdata: Some("1981-04-08-7"),
        year: 1981,
        family: "barneloven",
        names: &[lov!("barnelov"), r"lov om barn og foreldre"],
        abbreviations: &["bl"],
    },
    // karnovgroup.no "Lov om barnevern (barnevernsloven)": "Lov 18. juni 2021 nr. 97 om
    // barnevern (barnevernsloven) trådte i kraft 1. januar 2023".
    Law {
        id: "barnevernsloven",
        name: "barnevernsloven",
        title: "Lov om barnevern",
        lovdata: Some("2021-06-18-97"),
        year: 2021,
        family: "barnevern",
        names: &[lov!("barnevernslov"), r"lov om barnevern"],
        abbreviations: &[],
    },
    // The same Karnov page: "Lov 17. juli 1992 nr. 100 om barneverntjenester
    // (barnevernloven; heretter «barnevernloven 1992»)".
    Law {
        id: "barnevernloven",
        name: "barnevernloven",
        title: "Lov om barneverntjenester",
        lovdata: Some("1992-07-17-100"),
        year: 1992,
        family: "barnevern",
        names: &[lov!("barnevernlov"), r"lov om barneverntjenester"],
        abbreviations: &[],
    },
    // karnovgroup.no "Lov om kommunale krisesentertilbod": "Lov 19. juni 2009 nr. 44";
    // global-regulation.com: "Date LOV-2009-06-19-44".
    Law {
        id: "krisesenterlova",
        name: "krisesenterlova",
        title: "Lov om kommunale krisesentertilbod",
        lovdata: Some("2009-06-19-44"),
        year: 2009,
        family: "krisesenterlova",
        names: &[
            lov!("krisesenterlov"),
            r"lov om (?:kommunale )?krisesentertilbod",
        ],
        abbreviations: &[],
    },
    // snl.no "utlendingsloven": "Utlendingsloven av 15. mai 2008 nr. 35";
    // norgeslover.no/lov/NL/lov/2008-05-15-35.
    Law {
        id: "utlendingsloven",
        name: "utlendingsloven",
        title: "Lov om utlendingers adgang til riket og deres opphold her",
        lovdata: Some("2008-05-15-35"),
        year: 2008,
        family: "utlendingsloven",
        names: &[
            lov!("utlendingslov"),
            r"lov om utlendingers adgang til riket og deres opphold her",
        ],
        abbreviations: &["utl", "utlendingsl", "utlendl"],
    },
    // regjeringen.no, Prop. 238 L (2020–2021) 2.1: "lov 20. april 2001 nr. 13 om erstatning
    // fra staten for personskade voldt ved straffbar handling m.m. (voldsoffererstatningsloven)".
    Law {
        id: "voldsoffererstatningsloven",
        name: "voldsoffererstatningsloven",
        title: "Lov om erstatning fra staten for personskade voldt ved straffbar handling m.m.",
        lovdata: Some("2001-04-20-13"),
        year: 2001,
        family: "voldsoffererstatningsloven",
        names: &[lov!("voldsoffererstatningslov")],
        abbreviations: &["voerstl"],
    },
    // karnovgroup.no "voldserstatningsloven": "Lov 17. juni 2022 nr. 57 om erstatning fra
    // staten til voldsutsatte (voldserstatningsloven)", which replaced the law above.
    Law {
        id: "voldserstatningsloven",
        name: "voldserstatningsloven",
        title: "Lov om erstatning fra staten til voldsutsatte",
        lovdata: Some("2022-06-17-57"),
        year: 2022,
        family: "voldserstatningsloven",
        names: &[
            lov!("voldserstatningslov"),
            r"lov om erstatning fra staten til voldsutsatte",
        ],
        abbreviations: &[],
    },
    // snl.no "likestillings- og diskrimineringsloven": "Lovdata-ID NL/lov/2017-06-16-51".
    Law {
        id: "likestillings-og-diskrimineringsloven",
        name: "likestillings- og diskrimineringsloven",
        title: "Lov om likestilling og forbud mot diskriminering",
        lovdata: Some("2017-06-16-51"),
        year: 2017,
        family: "likestillings-og-diskrimineringsloven",
        names: &[
            concat!(r"likestillings- og diskriminerings", lov!("lov")),
            r"lov om likestilling og forbud mot diskriminering",
        ],
        abbreviations: &["ldl"],
    },
    // regjeringen.no, Prop. 122 L (2024–2025) 3.1.1: "lov 21. mai 1999 nr. 30 om styrking av
    // menneskerettighetenes stilling i norsk rett (menneskerettsloven)".
    Law {
        id: "menneskerettsloven",
        name: "menneskerettsloven",
        title: "Lov om styrking av menneskerettighetenes stilling i norsk rett",
        lovdata: Some("1999-05-21-30"),
        year: 1999,
        family: "menneskerettsloven",
        names: &[
            lov!("menneskerett(?:ighet)?slov"),
            r"lov om styrking av menneskerettighetenes stilling i norsk rett",
        ],
        abbreviations: &["mrl", "mnskrl"],
    },
    // No public source naming Lovdata's identifier for the Constitution was found, so it has
    // no link (stortinget.no confirms only the date, 17 May 1814).
    Law {
        id: "grunnloven",
        name: "Grunnloven",
        title: "Kongeriket Norges Grunnlov",
        lovdata: None,
        year: 1814,
        family: "grunnloven",
        names: &[
            r"grunnlov(?:en|a)s?",
            r"kongeriket norges grunnlov",
            r"kongeriket noregs grunnlov",
        ],
        abbreviations: &["grl"],
    },
    // karnovgroup.no "krisesenterlova": "lov 24. juni 2011 nr. 30 om kommunale helse- og
    // omsorgstjenester m.m. (helse- og omsorgstjenesteloven)".
    Law {
        id: "helse-og-omsorgstjenesteloven",
        name: "helse- og omsorgstjenesteloven",
        title: "Lov om kommunale helse- og omsorgstjenester m.m.",
        lovdata: Some("2011-06-24-30"),
        year: 2011,
        family: "helse-og-omsorgstjenesteloven",
        names: &[
            concat!(r"helse- og omsorgst(?:j)?eneste", lov!("lov")),
            r"lov om kommunale helse- og omsorgstjenester",
        ],
        abbreviations: &["hol", "helse- og omsorgstjenestel"],
    },
    // karnovgroup.no "sosialtjenesteloven": "Lov 18. desember 2009 nr. 131 om sosiale
    // tjenester i arbeids- og velferdsforvaltningen"; Lovdata's page: "LOV-2009-12-18-131".
    Law {
        id: "sosialtjenesteloven",
        name: "sosialtjenesteloven",
        title: "Lov om sosiale tjenester i arbeids- og velferdsforvaltningen",
        lovdata: Some("2009-12-18-131"),
        year: 2009,
        family: "sosialtjenesteloven",
        names: &[
            concat!(r"sosialt(?:j)?eneste", lov!("lov")),
            r"lov om sosiale tjenester i arbeids- og velferdsforvaltningen",
        ],
        abbreviations: &["sotjl"],
    },
    // no.wikipedia.org "Politiloven (Norge)": "lov 4. august 1995 nr. 53 om politiet";
    // juridika.no/no/lov/1995-08-04-53.
    Law {
        id: "politiloven",
        name: "politiloven",
        title: "Lov om politiet",
        lovdata: Some("1995-08-04-53"),
        year: 1995,
        family: "politiloven",
        names: &[lov!("politilov"), r"lov om politiet"],
        abbreviations: &["pl", "politil"],
    },
    // lovdata.no/dokument/NL/lov/1991-07-04-47: "Dato LOV-1991-07-04-47".
    Law {
        id: "ekteskapsloven",
        name: "ekteskapsloven",
        title: "Lov om ekteskap",
        lovdata: Some("1991-07-04-47"),
        year: 1991,
        family: "ekteskapsloven",
        names: &[lov!("ekteskapslov"), r"lov om ekteskap"],
        abbreviations: &["el", "ekteskapsl"],
    },
    // regjeringen.no, Prop. 57 L (2022–2023) names the 1998 act (lov 17. juli 1998 nr. 61),
    // which a new opplæringslova replaced on 1 August 2024; the new act's number was not
    // found in a public source, and a name alone cannot tell the two apart, so no link.
    Law {
        id: "opplaeringslova",
        name: "opplæringslova",
        title: "Lov om grunnskoleopplæringa og den vidaregåande opplæringa",
        lovdata: None,
        year: 2023,
        family: "opplaeringslova",
        names: &[lov!("opplæringslov")],
        abbreviations: &["oppll", "opplæringsl"],
    },
    // karnovgroup.no "straffeprosessloven": "lov 13. august 1915 nr. 5 om domstolene
    // (domstolloven eller dl.)".
    Law {
        id: "domstolloven",
        name: "domstolloven",
        title: "Lov om domstolene",
        lovdata: Some("1915-08-13-5"),
        year: 1915,
        family: "domstolloven",
        names: &[lov!("domstoll?ov"), r"lov om domstolene"],
        abbreviations: &["dl", "dstl"],
    },
    // nn.wikipedia.org "Tvisteloven": "Lov om mekling og rettergang i sivile tvister
    // (tvisteloven) av 17. juni 2005 nr. 90".
    Law {
        id: "tvisteloven",
        name: "tvisteloven",
        title: "Lov om mekling og rettergang i sivile tvister",
        lovdata: Some("2005-06-17-90"),
        year: 2005,
        family: "tvisteloven",
        names: &[
            lov!("tvistelov"),
            r"lov om mekling og rettergang i sivile tvister",
        ],
        abbreviations: &["tvl"],
    },
    // juridika.no/no/lov/1967-02-10: "Lov 10. februar 1967 om behandlingsmåten i
    // forvaltningssaker" (a law of that day without a number).
    Law {
        id: "forvaltningsloven",
        name: "forvaltningsloven",
        title: "Lov om behandlingsmåten i forvaltningssaker",
        lovdata: Some("1967-02-10"),
        year: 1967,
        family: "forvaltningsloven",
        names: &[
            lov!("forvaltningslov"),
            r"lov om behandlingsmåten i forvaltningssaker",
        ],
        abbreviations: &["fvl"],
    },
    // regjeringen.no "Iverksetjing av lov 19. mai 2006 nr. 16 om rett til innsyn i dokument
    // i offentleg verksemd"; meland.arkivplan.no: "Lov 2006-05-19 nr. 16".
    Law {
        id: "offentleglova",
        name: "offentleglova",
        title: "Lov om rett til innsyn i dokument i offentleg verksemd",
        lovdata: Some("2006-05-19-16"),
        year: 2006,
        family: "offentleglova",
        names: &[
            lov!("offentleglov"),
            lov!("offentlighetslov"),
            r"lov om rett til innsyn i dokument i offentleg verksemd",
        ],
        abbreviations: &["offl"],
    },
    // juridika.no: "Personopplysningsloven. Lov 15. juni 2018 nr. 38 om behandling av
    // personopplysninger".
    Law {
        id: "personopplysningsloven",
        name: "personopplysningsloven",
        title: "Lov om behandling av personopplysninger",
        lovdata: Some("2018-06-15-38"),
        year: 2018,
        family: "personopplysningsloven",
        names: &[
            lov!("personopplysningslov"),
            r"lov om behandling av personopplysninger",
        ],
        abbreviations: &["popplyl", "pol"],
    },
    // snl.no "pasient- og brukerrettighetsloven": "Lovdata-ID NL/lov/1999-07-02-63".
    Law {
        id: "pasient-og-brukerrettighetsloven",
        name: "pasient- og brukerrettighetsloven",
        title: "Lov om pasient- og brukerrettigheter",
        lovdata: Some("1999-07-02-63"),
        year: 1999,
        family: "pasient-og-brukerrettighetsloven",
        names: &[
            concat!(r"pasient- og brukerrettighets", lov!("lov")),
            lov!("pasientrettighetslov"),
            r"lov om pasient- og brukerrettigheter",
        ],
        abbreviations: &["pbrl", "pasrl"],
    },
    // karnovgroup.no "integreringsloven": "Lov 6. november 2020 nr. 127 om integrering
    // gjennom opplæring, utdanning og arbeid"; norgeslover.no/lov/NL/lov/2020-11-06-127.
    Law {
        id: "integreringsloven",
        name: "integreringsloven",
        title: "Lov om integrering gjennom opplæring, utdanning og arbeid",
        lovdata: Some("2020-11-06-127"),
        year: 2020,
        family: "integreringsloven",
        names: &[
            lov!("integreringslov"),
            r"lov om integrering gjennom opplæring, utdanning og arbeid",
        ],
        abbreviations: &["intl"],
    },
    // regjeringen.no "Statsborgerloven": "LOV 2005-06-10 nr 51: Lov om norsk statsborgerskap".
    Law {
        id: "statsborgerloven",
        name: "statsborgerloven",
        title: "Lov om norsk statsborgerskap",
        lovdata: Some("2005-06-10-51"),
        year: 2005,
        family: "statsborgerloven",
        names: &[
            lov!("statsborgerlov"),
            lov!("statsborgarlov"),
            r"lov om norsk statsborgerskap",
        ],
        abbreviations: &["sbl"],
    },
    // Norsk Lovtidend 2005 (docplayer.me): "lov 28. februar 1997 nr. 19 om folketrygd";
    // the same in a regulation quoted by barnerettsbloggen.no.
    Law {
        id: "folketrygdloven",
        name: "folketrygdloven",
        title: "Lov om folketrygd",
        lovdata: Some("1997-02-28-19"),
        year: 1997,
        family: "folketrygdloven",
        names: &[lov!("folketrygdlov"), r"lov om folketrygd"],
        abbreviations: &["ftrl"],
    },
    // karnovgroup.no "arbeidsmiljøloven": "Lov om arbeidsmiljø, arbeidstid og stillingsvern
    // mv. av 17. juni 2005 nr. 62"; Norsk Lovtidend nr. 8 2005: "Lov nr. 62 … (arbeidsmiljøloven)".
    Law {
        id: "arbeidsmiljoloven",
        name: "arbeidsmiljøloven",
        title: "Lov om arbeidsmiljø, arbeidstid og stillingsvern mv.",
        lovdata: Some("2005-06-17-62"),
        year: 2005,
        family: "arbeidsmiljoloven",
        names: &[
            lov!("arbeidsmiljølov"),
            r"lov om arbeidsmiljø, arbeidstid og stillingsvern",
        ],
        abbreviations: &["aml"],
    },
];

/// Every law id, in table order (for descriptions that need a constant list, such as the
/// OpenAPI document); a test holds it equal to [`LAWS`].
pub const LAW_IDS: [&str; 27] = [
    "straffeloven",
    "straffeprosessloven",
    "barneloven",
    "barnevernsloven",
    "barnevernloven",
    "krisesenterlova",
    "utlendingsloven",
    "voldsoffererstatningsloven",
    "voldserstatningsloven",
    "likestillings-og-diskrimineringsloven",
    "menneskerettsloven",
    "grunnloven",
    "helse-og-omsorgstjenesteloven",
    "sosialtjenesteloven",
    "politiloven",
    "ekteskapsloven",
    "opplaeringslova",
    "domstolloven",
    "tvisteloven",
    "forvaltningsloven",
    "offentleglova",
    "personopplysningsloven",
    "pasient-og-brukerrettighetsloven",
    "integreringsloven",
    "statsborgerloven",
    "folketrygdloven",
    "arbeidsmiljoloven",
];

/// What a `law:section` value looks like, for the same descriptions.
pub const LAW_SECTION_PATTERN: &str = r"^(straffeloven|straffeprosessloven|barneloven|barnevernsloven|barnevernloven|krisesenterlova|utlendingsloven|voldsoffererstatningsloven|voldserstatningsloven|likestillings-og-diskrimineringsloven|menneskerettsloven|grunnloven|helse-og-omsorgstjenesteloven|sosialtjenesteloven|politiloven|ekteskapsloven|opplaeringslova|domstolloven|tvisteloven|forvaltningsloven|offentleglova|personopplysningsloven|pasient-og-brukerrettighetsloven|integreringsloven|statsborgerloven|folketrygdloven|arbeidsmiljoloven):([0-9]{1,2}[A-Za-z]?-[0-9]{1,3}|[0-9]{1,4})[a-h]?$";

/// The law with this id.
pub fn law(id: &str) -> Option<&'static Law> {
    LAWS.iter().find(|l| l.id == id)
}

/// A law's place in [`LAWS`], which is the order lists show laws in.
pub fn law_order(id: &str) -> usize {
    LAWS.iter().position(|l| l.id == id).unwrap_or(LAWS.len())
}

/// A section of a law, written `straffeloven:282`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LawSection {
    pub law: &'static str,
    /// Normalised: `222a`, `4-12`, `282`.
    pub section: String,
}

impl std::fmt::Display for LawSection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.law, self.section)
    }
}

/// Parses `straffeloven:282` into a known law and a well-formed section.
pub fn parse_law_section(s: &str) -> Option<LawSection> {
    let (law_id, section) = s.split_once(':')?;
    let law = law(law_id)?;
    let section = normalize_section(section)?;
    Some(LawSection {
        law: law.id,
        section,
    })
}

/// Orders sections as people read them: by law (table order), then by number, so 9 comes
/// before 10 and 222 before 222a.
pub fn compare_sections(a: &LawSection, b: &LawSection) -> Ordering {
    law_order(a.law)
        .cmp(&law_order(b.law))
        .then_with(|| section_key(&a.section).cmp(&section_key(&b.section)))
}

fn section_key(s: &str) -> (u32, u32, String) {
    let mut parts = s.splitn(2, '-');
    let head = parts.next().unwrap_or("");
    let digits: String = head.chars().take_while(char::is_ascii_digit).collect();
    let first = digits.parse().unwrap_or(u32::MAX);
    let (second, rest) = match parts.next() {
        Some(tail) => {
            let d: String = tail.chars().take_while(char::is_ascii_digit).collect();
            (d.parse().unwrap_or(0), tail[d.len()..].to_string())
        }
        None => (0, head[digits.len()..].to_string()),
    };
    (first, second, rest)
}

/// `222 a` → `222a`, `4 - 12` → `4-12`; None for anything that is not a section number.
pub fn normalize_section(s: &str) -> Option<String> {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let compact = compact.replace('–', "-");
    SECTION_NORMAL_RE
        .is_match(&compact)
        .then(|| compact.to_lowercase())
}

static SECTION_NORMAL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\d{1,2}[A-Za-z]?-\d{1,3}|\d{1,4})[a-h]?$").expect("section pattern is valid")
});

/// What a text names: the laws (table order) and their sections (sorted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LawTags {
    pub laws: Vec<&'static str>,
    pub sections: Vec<LawSection>,
}

impl LawTags {
    /// Sections as `law:section` strings.
    pub fn section_ids(&self) -> Vec<String> {
        self.sections.iter().map(ToString::to_string).collect()
    }
}

/// Laws and sections referred to in the text.
pub fn detect_laws(text: &str) -> LawTags {
    let norm = normalize(text);
    // An abbreviation ("bl.", "el.") is a law only right before a section; elsewhere it is
    // an ordinary abbreviation ("bl.a.").
    let mentions: Vec<LawMention> = law_mentions(&norm)
        .into_iter()
        .filter(|m| !m.abbreviation || starts_section(&norm[m.end..]))
        .collect();
    let mut laws: BTreeSet<usize> = mentions.iter().filter_map(|m| m.law).collect();
    let mut sections: Vec<LawSection> = Vec::new();
    for caps in SECTION_LIST_RE.captures_iter(&norm) {
        let (Some(whole), Some(list)) = (caps.get(0), caps.name("list")) else {
            continue;
        };
        let Some(law) = law_for_section(&norm, &mentions, whole.start(), list.end()) else {
            continue;
        };
        laws.insert(law);
        let following = norm[list.end()..].chars().next();
        for number in section_numbers(list.as_str(), following) {
            let section = LawSection {
                law: LAWS[law].id,
                section: number,
            };
            if !sections.contains(&section) {
                sections.push(section);
            }
        }
    }
    sections.sort_by(compare_sections);
    LawTags {
        laws: laws.into_iter().map(|i| LAWS[i].id).collect(),
        sections,
    }
}

fn starts_section(after: &str) -> bool {
    after.trim_start().starts_with('§')
}

/// A law (or, with `law = None`, a regulation or an EU instrument) named at a byte range.
#[derive(Debug, Clone, Copy)]
struct LawMention {
    law: Option<usize>,
    abbreviation: bool,
    start: usize,
    end: usize,
}

/// Instruments whose sections and articles are not a law's: regulations ("forskrift",
/// "utlendingsforskriften", "forskrift om …") and EU law.
const NOT_A_LAW: &str = concat!(
    r"\w*forskrift(?:en|a|ene|ar|er)?s?|",
    r"gdpr|personvernforordning(?:en|a)?|forordning(?:en|a)?|direktiv(?:et)?"
);

/// All names and abbreviations in one alternation, one named group per law (`l0`, `l1`, …),
/// so mentions never overlap and a long name wins over a short one inside it. A name may be
/// followed by its own short form in brackets ("lov om krisesentertilbod (krisesenterlova)")
/// and by a year ("barnevernloven (1992)", "straffeloven 1902").
static LAW_RE: LazyLock<Regex> = LazyLock::new(|| {
    let mut groups: Vec<String> = LAWS
        .iter()
        .enumerate()
        .map(|(i, law)| {
            let alts = law.names.join("|");
            format!(r"(?P<l{i}>(?:{alts})(?-u:\b)(?: ?\((?:{alts})\))?)")
        })
        .collect();
    for (i, law) in LAWS.iter().enumerate() {
        if !law.abbreviations.is_empty() {
            let alts = law.abbreviations.join("|");
            groups.push(format!(r"(?P<a{i}>(?:{alts})\.)"));
        }
    }
    groups.push(format!(r"(?P<other>{NOT_A_LAW})(?-u:\b)"));
    // Any other abbreviation ending in "l." before a section ("sktfvl. § 3-1") is a law
    // arkiv does not know: it claims the section, so it is not taken for another law's.
    groups.push(r"(?P<unknown>\w{1,10}l\.)".to_string());
    Regex::new(&format!(
        r"(?i)(?-u:\b)(?:{})(?: \(?(?:av |fra )?(?P<year>1[89]\d\d|20\d\d)\)?(?-u:\b))?",
        groups.join("|")
    ))
    .expect("law table is valid")
});

/// A law named by its date and number, as Lovdata identifies it: "lov 20. mai 2005 nr. 28",
/// "lov 10. februar 1967".
static DATED_LAW_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?-u:\b)lov(?:en|a)? (?:av )?(?P<d>\d{1,2})\.? ",
        r"(?P<m>januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|",
        r"desember|jan|feb|mar|apr|jun|jul|aug|sep|okt|nov|des)\.? (?P<y>\d{4})(?-u:\b)",
        r"(?: nr\.? ?(?P<n>\d{1,4})(?-u:\b))?"
    ))
    .expect("dated law pattern is valid")
});

/// Laws named by date and number; one that is not in the table is a law arkiv does not
/// know, which claims the sections after it like a regulation does.
fn dated_mentions(norm: &str) -> Vec<LawMention> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des",
    ];
    DATED_LAW_RE
        .captures_iter(norm)
        .filter_map(|caps| {
            let whole = caps.get(0)?;
            let month_name = caps.name("m")?.as_str().to_lowercase();
            let month = MONTHS.iter().position(|m| month_name.starts_with(m))? + 1;
            let day: u32 = caps.name("d")?.as_str().parse().ok()?;
            let year = caps.name("y")?.as_str();
            let mut id = format!("{year}-{month:02}-{day:02}");
            if let Some(n) = caps.name("n") {
                id.push('-');
                id.push_str(n.as_str());
            }
            Some(LawMention {
                law: LAWS.iter().position(|l| l.lovdata == Some(id.as_str())),
                abbreviation: false,
                start: whole.start(),
                end: whole.end(),
            })
        })
        .collect()
}

fn law_mentions(norm: &str) -> Vec<LawMention> {
    let mut all = named_mentions(norm);
    all.extend(dated_mentions(norm));
    all.sort_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
    let mut kept: Vec<LawMention> = Vec::with_capacity(all.len());
    for m in all {
        if kept.last().is_none_or(|last| m.start >= last.end) {
            kept.push(m);
        }
    }
    kept
}

fn named_mentions(norm: &str) -> Vec<LawMention> {
    LAW_RE
        .captures_iter(norm)
        .filter_map(|caps| {
            let whole = caps.get(0)?;
            let year: Option<u16> = caps.name("year").and_then(|y| y.as_str().parse().ok());
            let (law, abbreviation) = if caps.name("other").is_some() {
                (None, false)
            } else if caps.name("unknown").is_some() {
                (None, true)
            } else {
                let (i, abbreviation) = (0..LAWS.len()).find_map(|i| {
                    if caps.name(&format!("l{i}")).is_some() {
                        Some((i, false))
                    } else if caps.name(&format!("a{i}")).is_some() {
                        Some((i, true))
                    } else {
                        None
                    }
                })?;
                (with_year(i, year), abbreviation)
            };
            Some(LawMention {
                law,
                abbreviation,
                start: whole.start(),
                end: whole.end(),
            })
        })
        .collect()
}

/// A name followed by a year means the law of that family passed that year; a year that
/// matches none ("straffeloven 1902") is an older law arkiv does not know.
fn with_year(i: usize, year: Option<u16>) -> Option<usize> {
    let Some(year) = year else { return Some(i) };
    let family = LAWS[i].family;
    LAWS.iter()
        .position(|l| l.family == family && l.year == year)
}

/// One or more sections: "§ 282", "§§ 282 og 283", "§ 222 a", "§ 4-12", "§ 53 første ledd
/// bokstav b".
const SECTION: &str = concat!(
    r"(?:\d{1,2}(?: ?[A-Z])?[-–]\d{1,3}|\d{1,4})(?-u:\b)(?: ?[a-h](?-u:\b))?",
    r"(?: (?:første|andre|annet|tredje|fjerde|femte|sjette|fyrste) ledd)?",
    r"(?: (?:nr\.?|bokstav|litra) ?[a-z0-9]{1,3}(?-u:\b))?",
    r"(?: (?:første|andre|annet|tredje|fjerde|fyrste) punktum)?"
);

const SECTION_SEP: &str = r" ?(?:, ?(?:(?:og|eller|samt) )?|(?:og|eller|samt|til|-|–) ?)";

static SECTION_LIST_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"§§? ?(?P<list>{SECTION}(?:{SECTION_SEP}(?:§ ?)?{SECTION})*)"
    ))
    .expect("section list pattern is valid")
});

static SECTION_ITEM_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?P<n>(?:\d{1,2}(?: ?[A-Z])?[-–]\d{1,3}|\d{1,4})(?-u:\b)(?: ?[a-h](?-u:\b))?)")
        .expect("section item pattern is valid")
});

/// The sections of a matched list; the words of a sub-division ("bokstav b") are skipped.
/// The pattern's word boundaries are ASCII ones, so a letter after a number ("§ 53 f") is a
/// section letter only when no letter follows it ("første" is not "53f"); `following` is
/// the character after the list.
fn section_numbers(list: &str, following: Option<char>) -> Vec<String> {
    static SUBDIVISION_RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:nr\.?|bokstav|litra) ?[a-z0-9]{1,3}(?-u:\b)")
            .expect("subdivision pattern is valid")
    });
    let cleaned = SUBDIVISION_RE.replace_all(list, " ");
    SECTION_ITEM_RE
        .captures_iter(&cleaned)
        .filter_map(|c| c.name("n"))
        .filter_map(|m| {
            let next = cleaned[m.end()..].chars().next().or(following);
            let text = m.as_str();
            let text = match text.chars().last() {
                Some(c) if c.is_ascii_lowercase() && next.is_some_and(char::is_alphabetic) => {
                    text[..text.len() - 1].trim_end()
                }
                _ => text,
            };
            normalize_section(text)
        })
        .collect()
}

/// What may stand between a section list and a law named after it.
static AFTER_GAP_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^ ?(?P<connector>(?:i|in|of|etter|ifølge|ifølgje|jf\.?|jfr\.?|cf\.?) )?(?:(?:den|det|the) )?(?:nye |gamle )?$",
    )
    .expect("gap pattern is valid")
});

/// What may stand between a law and a section list right after it: a comma, a colon, or
/// the closing bracket of "lov … (straffeloven) § 282".
static BEFORE_GAP_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\)? ?(?:[,:] ?)?$").expect("gap pattern is valid"));

const NEARBY_CHARS: usize = 400;
const SAME_PARAGRAPH_CHARS: usize = 2000;

/// The law a section list belongs to: one named right after it with a connector ("§ 282 i
/// straffeloven"), then one right before it ("straffeloven § 282"), then the one most
/// recently named in the same passage. A regulation or EU instrument in any of these places
/// claims the list, so it is not counted for a law.
fn law_for_section(norm: &str, mentions: &[LawMention], start: usize, end: usize) -> Option<usize> {
    let first_after = mentions.partition_point(|m| m.start < end);
    if let Some(m) = mentions.get(first_after)
        && let Some(caps) = AFTER_GAP_RE.captures(&norm[end..m.start])
        && caps.name("connector").is_some()
    {
        return m.law;
    }
    let before = mentions[..mentions.partition_point(|m| m.end <= start)].last()?;
    let gap = &norm[before.end..start];
    if BEFORE_GAP_RE.is_match(gap) {
        return before.law;
    }
    let distance = gap.chars().take(SAME_PARAGRAPH_CHARS + 1).count();
    let same_paragraph = !gap.contains('\n');
    if distance <= NEARBY_CHARS || (same_paragraph && distance <= SAME_PARAGRAPH_CHARS) {
        before.law
    } else {
        None
    }
}
