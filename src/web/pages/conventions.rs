//! `/konvensjon/{id}`: one page per convention, with a short description written for the
//! archive, the articles the submissions refer to, and the submissions themselves.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use super::stats::article_groups;
use super::views::{self, DocCard};
use super::{PageContext, PageError, embeds_context, subject, svg};
use crate::index::Sort;
use crate::model::{ArticleRef, Convention};
use crate::web::AppState;
use crate::web::i18n::Lang;
use crate::web::params::SearchParams;

/// What the archive says about a convention. Kept short, neutral and to facts that do not
/// change; it is no legal commentary.
pub struct About {
    pub full_name: &'static str,
    pub paragraphs: &'static [&'static str],
}

pub fn about(lang: Lang, c: Convention) -> About {
    match (lang, c) {
        (Lang::Nb, Convention::Istanbul) => About {
            full_name: "Europarådets konvensjon om forebygging og bekjempelse av vold mot kvinner og vold i nære relasjoner",
            paragraphs: &[
                "Istanbulkonvensjonen ble vedtatt i Europarådet i 2011 og lagt ut for undertegning i Istanbul samme år. Den er den første europeiske konvensjonen som er rettslig bindende og som særskilt gjelder vold mot kvinner og vold i nære relasjoner.",
                "Konvensjonen forplikter statene til å forebygge vold, beskytte og støtte dem som utsettes for den, straffeforfølge overgripere og samordne innsatsen, blant annet med krisesentre og hjelpetelefoner. Norge ratifiserte konvensjonen i 2017. Ekspertgruppen GREVIO overvåker hvordan statene gjennomfører den.",
            ],
        },
        (Lang::En, Convention::Istanbul) => About {
            full_name: "Council of Europe Convention on preventing and combating violence against women and domestic violence",
            paragraphs: &[
                "The Istanbul Convention was adopted by the Council of Europe in 2011 and opened for signature in Istanbul the same year. It is the first legally binding European convention specifically on violence against women and domestic violence.",
                "It obliges states to prevent violence, to protect and support those exposed to it, to prosecute perpetrators and to co-ordinate their policies, among other things through shelters and helplines. Norway ratified the convention in 2017. The expert group GREVIO monitors how states implement it.",
            ],
        },
        (Lang::Nb, Convention::Echr) => About {
            full_name: "Den europeiske menneskerettskonvensjonen (konvensjon om beskyttelse av menneskerettighetene og de grunnleggende friheter)",
            paragraphs: &[
                "Den europeiske menneskerettskonvensjonen (EMK) ble vedtatt i Europarådet i 1950. Den verner sivile og politiske rettigheter, blant annet retten til liv (artikkel 2), forbudet mot tortur og umenneskelig eller nedverdigende behandling (artikkel 3) og retten til respekt for privatliv og familieliv (artikkel 8).",
                "EMK ble gjort til norsk lov ved menneskerettsloven i 1999. Den europeiske menneskerettsdomstolen (EMD) i Strasbourg behandler klager mot statene, og har slått fast at statene kan ha plikt til å beskytte mot vold også fra private.",
            ],
        },
        (Lang::En, Convention::Echr) => About {
            full_name: "Convention for the Protection of Human Rights and Fundamental Freedoms (European Convention on Human Rights)",
            paragraphs: &[
                "The European Convention on Human Rights (ECHR) was adopted by the Council of Europe in 1950. It protects civil and political rights, among them the right to life (Article 2), the prohibition of torture and of inhuman or degrading treatment (Article 3) and the right to respect for private and family life (Article 8).",
                "The ECHR was made part of Norwegian law by the Human Rights Act (menneskerettsloven) in 1999. The European Court of Human Rights in Strasbourg hears complaints against states, and has held that states can be obliged to protect people against violence also from private persons.",
            ],
        },
        (Lang::Nb, Convention::Cedaw) => About {
            full_name: "FNs konvensjon om avskaffelse av alle former for diskriminering av kvinner (kvinnekonvensjonen, CEDAW)",
            paragraphs: &[
                "Kvinnekonvensjonen ble vedtatt av FNs generalforsamling i 1979. Den forplikter statene til å avskaffe diskriminering av kvinner på alle samfunnsområder.",
                "FNs kvinnekomité (CEDAW-komiteen), som overvåker konvensjonen, har slått fast at kjønnsbasert vold mot kvinner er diskriminering etter konvensjonen. Norge ratifiserte konvensjonen i 1981, og den gjelder som norsk lov gjennom menneskerettsloven.",
            ],
        },
        (Lang::En, Convention::Cedaw) => About {
            full_name: "Convention on the Elimination of All Forms of Discrimination against Women (CEDAW)",
            paragraphs: &[
                "CEDAW was adopted by the United Nations General Assembly in 1979. It obliges states to eliminate discrimination against women in every area of society.",
                "The CEDAW Committee, which monitors the convention, has held that gender-based violence against women is discrimination under the convention. Norway ratified the convention in 1981, and it applies as Norwegian law through the Human Rights Act (menneskerettsloven).",
            ],
        },
        (Lang::Nb, Convention::Crc) => About {
            full_name: "FNs konvensjon om barnets rettigheter (barnekonvensjonen)",
            paragraphs: &[
                "Barnekonvensjonen ble vedtatt av FNs generalforsamling i 1989. Den slår blant annet fast at barnets beste skal være et grunnleggende hensyn i alle handlinger som berører barn (artikkel 3), at barn har rett til å bli hørt (artikkel 12), og at staten skal beskytte barn mot alle former for vold og overgrep (artikkel 19).",
                "Norge ratifiserte konvensjonen i 1991, og den gjelder som norsk lov gjennom menneskerettsloven. FNs barnekomité overvåker hvordan statene gjennomfører den.",
            ],
        },
        (Lang::En, Convention::Crc) => About {
            full_name: "United Nations Convention on the Rights of the Child (CRC)",
            paragraphs: &[
                "The Convention on the Rights of the Child was adopted by the United Nations General Assembly in 1989. Among other things, it provides that the best interests of the child shall be a primary consideration in all actions concerning children (Article 3), that children have the right to be heard (Article 12), and that states shall protect children from all forms of violence and abuse (Article 19).",
                "Norway ratified the convention in 1991, and it applies as Norwegian law through the Human Rights Act (menneskerettsloven). The UN Committee on the Rights of the Child monitors how states implement it.",
            ],
        },
        (Lang::Nb, Convention::Crpd) => About {
            full_name: "FNs konvensjon om rettighetene til mennesker med nedsatt funksjonsevne (CRPD)",
            paragraphs: &[OTHER_NB],
        },
        (Lang::En, Convention::Crpd) => About {
            full_name: "Convention on the Rights of Persons with Disabilities (CRPD)",
            paragraphs: &[OTHER_EN],
        },
        (Lang::Nb, Convention::Lanzarote) => About {
            full_name: "Europarådets konvensjon om beskyttelse av barn mot seksuell utnytting og seksuelt misbruk (Lanzarotekonvensjonen)",
            paragraphs: &[OTHER_NB],
        },
        (Lang::En, Convention::Lanzarote) => About {
            full_name: "Council of Europe Convention on the Protection of Children against Sexual Exploitation and Sexual Abuse (Lanzarote Convention)",
            paragraphs: &[OTHER_EN],
        },
        (Lang::Nb, Convention::Trafficking) => About {
            full_name: "Europarådets konvensjon om tiltak mot menneskehandel",
            paragraphs: &[OTHER_NB],
        },
        (Lang::En, Convention::Trafficking) => About {
            full_name: "Council of Europe Convention on Action against Trafficking in Human Beings",
            paragraphs: &[OTHER_EN],
        },
        (Lang::Nb, Convention::Palermo) => About {
            full_name: "Protokoll om å forebygge, bekjempe og straffe handel med mennesker, særlig kvinner og barn (Palermoprotokollen)",
            paragraphs: &[OTHER_NB],
        },
        (Lang::En, Convention::Palermo) => About {
            full_name: "Protocol to Prevent, Suppress and Punish Trafficking in Persons, Especially Women and Children (Palermo Protocol)",
            paragraphs: &[OTHER_EN],
        },
        (Lang::Nb, Convention::Iccpr) => About {
            full_name: "FNs konvensjon om sivile og politiske rettigheter (SP)",
            paragraphs: &[OTHER_NB, INCORPORATED_NB],
        },
        (Lang::En, Convention::Iccpr) => About {
            full_name: "International Covenant on Civil and Political Rights (ICCPR)",
            paragraphs: &[OTHER_EN, INCORPORATED_EN],
        },
        (Lang::Nb, Convention::Icescr) => About {
            full_name: "FNs konvensjon om økonomiske, sosiale og kulturelle rettigheter (ØSK)",
            paragraphs: &[OTHER_NB, INCORPORATED_NB],
        },
        (Lang::En, Convention::Icescr) => About {
            full_name: "International Covenant on Economic, Social and Cultural Rights (ICESCR)",
            paragraphs: &[OTHER_EN, INCORPORATED_EN],
        },
        (Lang::Nb, Convention::Cerd) => About {
            full_name: "FNs internasjonale konvensjon om avskaffelse av alle former for rasediskriminering (rasediskrimineringskonvensjonen, CERD)",
            paragraphs: &[OTHER_NB],
        },
        (Lang::En, Convention::Cerd) => About {
            full_name: "International Convention on the Elimination of All Forms of Racial Discrimination (CERD)",
            paragraphs: &[OTHER_EN],
        },
    }
}

/// The other conventions are described only by what they are to this archive.
const OTHER_NB: &str = "Sekretariatets arbeid bygger på de fire konvensjonene om vold mot kvinner, menneskerettighetene, kvinners rettigheter og barns rettigheter, og på andre relevante menneskerettighetskonvensjoner. Denne er en av dem; arkivet viser hvilke dokumenter som viser til den.";
const OTHER_EN: &str = "The secretariat's work rests on the four conventions on violence against women, human rights, women's rights and children's rights, and on other relevant human-rights conventions. This is one of them; the archive shows which documents refer to it.";
// regjeringen.no, Prop. 122 L (2024–2025) 3.1.1: the ECHR, ØSK, SP, the CRC and CEDAW are
// incorporated in Norwegian law through menneskerettsloven.
const INCORPORATED_NB: &str = "Konvensjonen gjelder som norsk lov gjennom menneskerettsloven.";
const INCORPORATED_EN: &str =
    "The covenant applies as Norwegian law through the Human Rights Act (menneskerettsloven).";

/// Links to every convention page, for the front page and the navigation between them.
/// (By reference: templates pass their fields so.)
pub fn links(lang: Lang) -> Vec<(&'static str, String)> {
    let suffix = match lang {
        Lang::Nb => "",
        Lang::En => "?lang=en",
    };
    Convention::ALL
        .into_iter()
        .map(|c| {
            (
                lang.convention(c),
                format!("/konvensjon/{}{suffix}", c.id()),
            )
        })
        .collect()
}

pub struct ArticleLine {
    label: String,
    count: u64,
    url: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "convention.html")]
pub struct ConventionPage {
    ctx: PageContext,
    id: &'static str,
    name: &'static str,
    about: About,
    total: usize,
    articles: Vec<ArticleLine>,
    articles_svg: String,
    cards: Vec<DocCard>,
    search_url: String,
    stats_url: String,
    feed_url: String,
    others: Vec<(&'static str, String)>,
    timeline: Vec<CycleLine>,
    timeline_title: &'static str,
}

/// A review cycle of the convention on its timeline, with our documents in it.
pub struct CycleLine {
    id: &'static str,
    name: &'static str,
    /// "2016-10-06 – 2020-07-04", or empty when no date of the cycle is verified.
    window: String,
    /// (what, symbol, date) of its key documents, as far as they are known.
    documents: Vec<(&'static str, &'static str, &'static str)>,
    count: u64,
    url: String,
}

fn timeline(
    lang: Lang,
    c: Convention,
    counts: &std::collections::BTreeMap<String, u64>,
) -> Vec<CycleLine> {
    crate::tagging::cycles::CYCLES
        .iter()
        .filter(|cycle| cycle.convention == c)
        .map(|cycle| CycleLine {
            id: cycle.id,
            name: match lang {
                Lang::Nb => cycle.name_nb,
                Lang::En => cycle.name_en,
            },
            window: cycle
                .window()
                .map(|(a, b)| format!("{a} – {b}"))
                .unwrap_or_default(),
            documents: cycle
                .documents
                .iter()
                .filter(|d| d.symbol.is_some() || d.date.is_some())
                .map(|d| {
                    (
                        match lang {
                            Lang::Nb => d.kind.label_nb(),
                            Lang::En => d.kind.label_en(),
                        },
                        d.symbol.unwrap_or(""),
                        d.date.unwrap_or(""),
                    )
                })
                .collect(),
            count: counts.get(cycle.id).copied().unwrap_or(0),
            url: views::search_url(&SearchParams {
                cycles: vec![cycle.id.to_string()],
                lang,
                page: 1,
                per_page: crate::web::params::DEFAULT_PER_PAGE,
                ..SearchParams::default()
            }),
        })
        .collect()
}

pub async fn page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    mut ctx: PageContext,
) -> Result<Response, PageError> {
    let params = ctx.search_params()?;
    let lang = params.lang;
    let convention = Convention::from_id(&id).ok_or(PageError::NotFound(lang))?;
    let path = format!("/konvensjon/{}", convention.id());
    let docs = subject::documents(&state, &mut ctx, lang, &path, |p| {
        p.conventions = vec![convention];
    })
    .await?;
    let (only, results) = (&docs.only, &docs.results);
    let groups: Vec<(Convention, Vec<(ArticleRef, u64)>)> =
        article_groups(&results.hits, usize::MAX)
            .into_iter()
            .filter(|(c, _)| *c == convention)
            .collect();
    let articles = groups
        .iter()
        .flat_map(|(_, list)| list.iter())
        .map(|(a, n)| ArticleLine {
            label: format!("{} {}", lang.texts().article_abbrev, a.article),
            count: *n,
            url: views::search_url(&only.with(|p| {
                p.articles = vec![*a];
                p.sort = Sort::Relevance;
            })),
        })
        .collect();
    // Our documents in each cycle, whatever conventions they are tagged with.
    let all = subject::archive_counts(&state, lang).await?;
    let timeline = timeline(lang, convention, &all.cycle);
    let links = super::views::ResearchLinks::for_params(only);
    Ok(ConventionPage {
        ctx,
        id: convention.id(),
        name: lang.convention(convention),
        about: about(lang, convention),
        total: results.total,
        articles,
        articles_svg: svg::articles_chart(lang, &groups),
        search_url: docs.search_url,
        stats_url: links.stats,
        feed_url: links.feed,
        cards: docs.cards,
        others: links_except(lang, convention),
        timeline,
        timeline_title: match lang {
            Lang::Nb => "Rapporteringssykluser",
            Lang::En => "Review cycles",
        },
    }
    .into_response())
}

fn links_except(lang: Lang, c: Convention) -> Vec<(&'static str, String)> {
    let own = lang.convention(c);
    links(lang).into_iter().filter(|(n, _)| *n != own).collect()
}

embeds_context!(ConventionPage);
