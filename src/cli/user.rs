//! `arkiv user`: staff accounts and API tokens.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};

use super::DataArgs;
use crate::accounts::Accounts;

#[derive(Debug, Args)]
pub struct UserArgs {
    #[command(subcommand)]
    command: UserCommand,
    #[command(flatten)]
    data: DataArgs,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a staff account (asks for the password twice)
    Add {
        name: String,
        /// Read the password from the first line of standard input (for scripts)
        #[arg(long)]
        password_stdin: bool,
    },
    /// Remove a staff account and its tokens
    Remove { name: String },
    /// List the staff accounts
    List,
    /// Print a new API token for scripts (only its hash is stored)
    Token {
        name: String,
        /// Revoke every token of the account instead
        #[arg(long)]
        revoke: bool,
    },
}

pub fn run(args: UserArgs) -> anyhow::Result<ExitCode> {
    let data = args.data.open()?;
    let mut accounts = Accounts::load(&data)?;
    match args.command {
        UserCommand::Add {
            name,
            password_stdin,
        } => {
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .lock()
                    .read_line(&mut line)
                    .context("cannot read the password from standard input")?;
                line.trim_end_matches(['\n', '\r']).to_string()
            } else {
                if !std::io::stdin().is_terminal() {
                    bail!("no terminal to ask for the password: use --password-stdin");
                }
                let first = rpassword::prompt_password("Passord / password: ")?;
                let second = rpassword::prompt_password("Gjenta / repeat: ")?;
                if first != second {
                    bail!("the passwords differ");
                }
                first
            };
            accounts.add(&name, &password)?;
            accounts.save(&data)?;
            println!("added {name}");
        }
        UserCommand::Remove { name } => {
            accounts.remove(&name)?;
            accounts.save(&data)?;
            println!("removed {name}");
        }
        UserCommand::List => {
            for (name, user) in &accounts.users {
                println!(
                    "{name}\tcreated {}\t{} token(s)",
                    user.created.format("%Y-%m-%d"),
                    user.token_hashes.len()
                );
            }
        }
        UserCommand::Token { name, revoke } => {
            if revoke {
                let n = accounts.revoke_tokens(&name)?;
                accounts.save(&data)?;
                println!("revoked {n} token(s) of {name}");
            } else {
                let token = accounts.new_token(&name)?;
                accounts.save(&data)?;
                println!("{token}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
