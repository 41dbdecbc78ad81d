//! The worker process (`arkiv extract-worker`): bounds itself, then runs one reader on one
//! file and prints the result for the caller (`process.rs`) to collect.

use std::io;
use std::process::ExitCode;

use super::{Engine, WorkerJob, ocr, pdf_extract_reader, pdftotext, render};

/// The body of `arkiv extract-worker`: bounds this process, then runs one engine on one
/// file and writes the result to stdout. For pdftotext (and for OCR, tesseract) this process
/// becomes that program (exec), so the bounds and the caller's deadline apply to it directly.
pub fn run_worker(job: &WorkerJob) -> ExitCode {
    let path = job.file.as_path();
    if let Err(e) = limit_self(job.memory_limit_mb, job.cpu_secs) {
        eprintln!("cannot set resource limits: {e}");
        return ExitCode::from(3);
    }
    match job.engine {
        Engine::Ocr => match job.page {
            Some(page) => ocr::run_page_worker(path, page, &job.ocr_languages),
            None => {
                eprintln!("the ocr engine reads one page: give --page");
                ExitCode::from(3)
            }
        },
        Engine::Render => match (job.page, job.scale) {
            (Some(page), Some(scale)) if page > 0 && (16..=4096).contains(&scale) => {
                render::run_render_worker(path, page, scale)
            }
            _ => {
                eprintln!("the render engine needs --page N (from 1) and --scale 16–4096");
                ExitCode::from(3)
            }
        },
        Engine::Words => match (job.page, job.last_page) {
            (Some(first), Some(last)) if first > 0 && first <= last => {
                render::run_words_worker(path, first, last)
            }
            _ => {
                eprintln!("the words engine needs --page F --last-page L, 1 ≤ F ≤ L");
                ExitCode::from(3)
            }
        },
        Engine::Pdftotext => pdftotext::run(path),
        Engine::PdfExtract => match pdf_extract_reader::read_pages(path) {
            Ok(output) => {
                let json = serde_json::to_string(&output).expect("worker output serializes");
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("{message}");
                ExitCode::from(2)
            }
        },
    }
}

fn limit_self(memory_limit_mb: u64, cpu_secs: u64) -> io::Result<()> {
    use rlimit::Resource;
    let bytes = memory_limit_mb.saturating_mul(1024 * 1024);
    Resource::AS.set(bytes, bytes)?;
    // The CPU bound catches a process the caller's deadline would otherwise orphan.
    Resource::CPU.set(cpu_secs, cpu_secs + 1)?;
    Ok(())
}
