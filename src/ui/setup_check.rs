//! The "Setup check" dialog: is this computer ready for virtual machines? One row per
//! check (pass / warning / fail, a sentence, a fix). Checks run off the main thread; after
//! a fix they run again by themselves.

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;

use crate::backend::host_check::{self, CheckResult, Fix, Host, Verdict};
use crate::backend::image_access;
use crate::i18n::gettext_f;
use crate::setup_text;

#[derive(Debug)]
pub enum SetupMsg {
    /// Show the dialog over `parent` and check the connection `uri`.
    Open(adw::ApplicationWindow, String),
    /// Check for `uri` without showing anything unless something fails.
    OpenIfProblems(adw::ApplicationWindow, String),
    Run,
    Apply(usize),
    ChooseImage,
    CheckImage(std::path::PathBuf),
    FixImage,
}

#[derive(Debug)]
pub enum SetupCmd {
    Results(Vec<CheckResult>, bool),
    FixDone(Result<(), FixError>),
    /// The chosen image's path and where the qemu user is stopped, if anywhere.
    Image(
        std::path::PathBuf,
        Result<(), Option<image_access::AccessBlock>>,
    ),
    /// The image's access fix ran: check the image again.
    ImageFixed(std::path::PathBuf, Result<(), FixError>),
}

/// Runs a fixed command as administrator through pkexec (an argument vector, never a
/// shell). Without pkexec, returns the `sudo` command for the person to run.
pub(crate) fn run_privileged(argv: &[String]) -> Result<(), FixError> {
    let argv = host_check::pkexec_argv(argv);
    match std::process::Command::new(&argv[0])
        .args(&argv[1..])
        .output()
    {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(FixError::Failed(
            String::from_utf8_lossy(&o.stderr).trim().to_string(),
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(FixError::NoPkexec(format!("sudo {}", argv[1..].join(" "))))
        }
        Err(e) => Err(FixError::Failed(format!("{}: {e}", argv[0]))),
    }
}

#[derive(Debug)]
pub enum FixError {
    Failed(String),
    /// pkexec is not installed: the command to run by hand.
    NoPkexec(String),
}

pub struct SetupCheck {
    uri: String,
    parent: Option<adw::ApplicationWindow>,
    results: Vec<CheckResult>,
    running: bool,
    /// Present the dialog when the results arrive, only if something is not right.
    only_if_problems: bool,
    image: Option<(
        std::path::PathBuf,
        Result<(), Option<image_access::AccessBlock>>,
    )>,
}

pub struct SetupWidgets {
    group: adw::PreferencesGroup,
    rows: Vec<adw::ExpanderRow>,
    summary: gtk::Label,
    spinner: gtk::Spinner,
    again: gtk::Button,
    toasts: adw::ToastOverlay,
    image_group: adw::PreferencesGroup,
    image_row: adw::ActionRow,
    image_fix: gtk::Button,
}

fn verdict_icon(v: Verdict) -> (&'static str, &'static str, String) {
    match v {
        Verdict::Pass => ("object-select-symbolic", "success", gettext("Ready")),
        Verdict::Info => (
            "dialog-information-symbolic",
            "accent",
            gettext("Good to know"),
        ),
        Verdict::Warning => ("dialog-warning-symbolic", "warning", gettext("Warning")),
        Verdict::Fail => ("dialog-error-symbolic", "error", gettext("Problem")),
    }
}

impl SetupCheck {
    fn start(&mut self, sender: &ComponentSender<Self>) {
        if self.running {
            return;
        }
        self.running = true;
        let uri = self.uri.clone();
        let quiet = self.only_if_problems;
        sender.spawn_oneshot_command(move || {
            SetupCmd::Results(host_check::run_all(&Host::current(&uri)), quiet)
        });
    }

    fn present(&self, dialog: &adw::Dialog) {
        if let Some(p) = &self.parent {
            crate::ui::widgets::present_over(dialog, p);
        }
    }
}

impl Component for SetupCheck {
    type CommandOutput = SetupCmd;
    type Input = SetupMsg;
    type Output = ();
    type Init = ();
    type Root = adw::Dialog;
    type Widgets = SetupWidgets;

    fn init_root() -> Self::Root {
        adw::Dialog::builder()
            .title(gettext("Setup Check"))
            .content_width(640)
            .content_height(720)
            .build()
    }

    fn init(_: (), dialog: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let header = adw::HeaderBar::new();
        let again = gtk::Button::builder()
            .label(gettext("Check Again"))
            .tooltip_text(gettext("Run every check again"))
            .build();
        let s = sender.clone();
        again.connect_clicked(move |_| s.input(SetupMsg::Run));
        header.pack_start(&again);
        let spinner = gtk::Spinner::new();
        header.pack_end(&spinner);

        let intro = gtk::Label::builder()
            .label(gettext(
                "Bilik checks what virtual machines need on this computer: the same steps as installing qemu and libvirt by hand, starting the service, and testing with “virsh list --all”.",
            ))
            .wrap(true)
            .xalign(0.0)
            .build();
        let summary = gtk::Label::builder()
            .wrap(true)
            .xalign(0.0)
            .css_classes(["heading"])
            .build();
        let group = adw::PreferencesGroup::new();
        let page = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(18)
            .margin_top(12)
            .margin_bottom(24)
            .margin_start(12)
            .margin_end(12)
            .build();
        page.append(&intro);
        page.append(&summary);
        page.append(&group);

        // Disk image access: qemu runs system machines as its own user, which cannot enter
        // private folders such as a home directory.
        let image_group = adw::PreferencesGroup::builder()
            .title(gettext("Disk image access"))
            .description(gettext(
                "Machines of “This computer (system)” run as a separate system user, which cannot open files in private folders such as your home folder. Check an installer ISO or disk image before using it.",
            ))
            .build();
        let image_row = adw::ActionRow::builder()
            .use_markup(false)
            .title(gettext("No file checked yet"))
            .subtitle_selectable(true)
            .build();
        let choose = gtk::Button::builder()
            .label(gettext("Choose File…"))
            .valign(gtk::Align::Center)
            .build();
        let s = sender.clone();
        choose.connect_clicked(move |_| s.input(SetupMsg::ChooseImage));
        let image_fix = gtk::Button::builder()
            .label(gettext("Fix…"))
            .valign(gtk::Align::Center)
            .visible(false)
            .css_classes(["suggested-action"])
            .build();
        let s = sender.clone();
        image_fix.connect_clicked(move |_| s.input(SetupMsg::FixImage));
        image_row.add_suffix(&image_fix);
        image_row.add_suffix(&choose);
        let path_entry = adw::EntryRow::builder()
            .title(gettext("Or type the file’s path"))
            .build();
        let check_path = gtk::Button::builder()
            .label(gettext("Check"))
            .valign(gtk::Align::Center)
            .build();
        let s = sender.clone();
        let e = path_entry.clone();
        check_path.connect_clicked(move |_| {
            let text = e.text().trim().to_string();
            if !text.is_empty() {
                s.input(SetupMsg::CheckImage(text.into()));
            }
        });
        let s = sender.clone();
        path_entry.connect_entry_activated(move |e| {
            let text = e.text().trim().to_string();
            if !text.is_empty() {
                s.input(SetupMsg::CheckImage(text.into()));
            }
        });
        path_entry.add_suffix(&check_path);
        image_group.add(&image_row);
        image_group.add(&path_entry);
        page.append(&image_group);
        let scrolled = gtk::ScrolledWindow::builder()
            .hscrollbar_policy(gtk::PolicyType::Never)
            .vexpand(true)
            .child(&adw::Clamp::builder().maximum_size(600).child(&page).build())
            .build();
        let view = adw::ToolbarView::new();
        view.add_top_bar(&header);
        view.set_content(Some(&scrolled));
        let toasts = adw::ToastOverlay::new();
        toasts.set_child(Some(&view));
        dialog.set_child(Some(&toasts));

        let model = SetupCheck {
            uri: String::new(),
            parent: None,
            results: Vec::new(),
            running: false,
            only_if_problems: false,
            image: None,
        };
        let widgets = SetupWidgets {
            group,
            rows: Vec::new(),
            summary,
            spinner,
            again,
            toasts,
            image_group,
            image_row,
            image_fix,
        };
        ComponentParts { model, widgets }
    }

    fn update_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        msg: Self::Input,
        sender: ComponentSender<Self>,
        dialog: &Self::Root,
    ) {
        match msg {
            SetupMsg::Open(parent, uri) => {
                self.parent = Some(parent);
                self.uri = uri;
                self.only_if_problems = false;
                self.present(dialog);
                self.start(&sender);
            }
            SetupMsg::OpenIfProblems(parent, uri) => {
                self.parent = Some(parent);
                self.uri = uri;
                self.only_if_problems = true;
                self.start(&sender);
            }
            SetupMsg::Run => self.start(&sender),
            SetupMsg::ChooseImage => {
                let file_dialog = gtk::FileDialog::builder()
                    .title(gettext("Choose an ISO or Disk Image"))
                    .modal(true)
                    .build();
                let s = sender.clone();
                let parent = self.parent.clone();
                file_dialog.open(parent.as_ref(), None::<&gio::Cancellable>, move |res| {
                    if let Ok(Some(path)) = res.map(|f| f.path()) {
                        s.input(SetupMsg::CheckImage(path));
                    }
                });
            }
            SetupMsg::CheckImage(path) => {
                sender.spawn_oneshot_command(move || {
                    let verdict = match image_access::qemu_user() {
                        Some((user, uid, gid)) => {
                            image_access::image_access(&path, &user, uid, &[gid]).map_err(Some)
                        }
                        None => Err(None),
                    };
                    SetupCmd::Image(path, verdict)
                });
            }
            SetupMsg::FixImage => {
                if let Some((path, Err(Some(block)))) = self.image.clone() {
                    sender.spawn_oneshot_command(move || {
                        SetupCmd::ImageFixed(path, run_privileged(&block.fix))
                    });
                }
            }
            SetupMsg::Apply(i) => {
                let Some(fix) = self.results.get(i).and_then(|r| r.fix.clone()) else {
                    return;
                };
                match fix {
                    Fix::Copy(cmd) => {
                        dialog.clipboard().set_text(&cmd);
                        widgets
                            .toasts
                            .add_toast(crate::ui::widgets::wrapped_toast(&gettext(
                                "Command copied to the clipboard",
                            )));
                    }
                    Fix::Privileged(argv) => {
                        self.running = true;
                        sender.spawn_oneshot_command(move || {
                            SetupCmd::FixDone(run_privileged(&argv))
                        });
                    }
                    Fix::Libvirt(f) => {
                        self.running = true;
                        let uri = self.uri.clone();
                        sender.spawn_oneshot_command(move || {
                            SetupCmd::FixDone(
                                host_check::apply_libvirt_fix(&uri, &f)
                                    .map_err(|e| FixError::Failed(e.raw)),
                            )
                        });
                    }
                }
            }
        }
        widgets.spinner.set_spinning(self.running);
        widgets.spinner.set_visible(self.running);
        widgets.again.set_sensitive(!self.running);
        // Session machines run as you: the check only matters for local system connections.
        widgets
            .image_group
            .set_visible(self.uri.starts_with("qemu:///") && !self.uri.contains("/session"));
    }

    fn update_cmd_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        cmd: Self::CommandOutput,
        sender: ComponentSender<Self>,
        dialog: &Self::Root,
    ) {
        match cmd {
            SetupCmd::Image(path, verdict) => {
                widgets.image_row.set_title(&path.display().to_string());
                let (text, fixable) = match &verdict {
                    Ok(()) => (gettext("Virtual machines can open this file."), false),
                    Err(Some(block)) => (
                        gettext_f(
                            "The system user “{user}” cannot open {path}. The fix gives that one user access, nobody else.",
                            &[("user", &block.user), ("path", &block.at.display().to_string())],
                        ),
                        true,
                    ),
                    Err(None) => (gettext("The user qemu runs as could not be found."), false),
                };
                widgets.image_row.set_subtitle(&text);
                widgets.image_fix.set_visible(fixable);
                if let Err(Some(block)) = &verdict {
                    widgets
                        .image_fix
                        .set_tooltip_text(Some(&setup_text::fix_hint(&Fix::Privileged(
                            block.fix.clone(),
                        ))));
                }
                self.image = Some((path, verdict));
            }
            SetupCmd::ImageFixed(path, result) => {
                if let Err(e) = result {
                    report_fix_error(widgets, dialog, e);
                }
                sender.input(SetupMsg::CheckImage(path));
            }
            SetupCmd::FixDone(result) => {
                self.running = false;
                if let Err(e) = result {
                    report_fix_error(widgets, dialog, e);
                }
                // After a fix, check again by itself.
                self.only_if_problems = false;
                self.start(&sender);
            }
            SetupCmd::Results(results, quiet) => {
                self.running = false;
                self.results = results;
                for row in widgets.rows.drain(..) {
                    widgets.group.remove(&row);
                }
                for (i, r) in self.results.iter().enumerate() {
                    let (icon, class, word) = verdict_icon(r.verdict);
                    // Plain text: commands and paths contain & and < (not markup).
                    let row = adw::ExpanderRow::new();
                    crate::ui::widgets::set_plain_text(
                        &row,
                        &setup_text::title(r.id),
                        Some(&setup_text::explain(r)),
                    );
                    let image = gtk::Image::from_icon_name(icon);
                    image.add_css_class(class);
                    image.update_property(&[gtk::accessible::Property::Label(&word)]);
                    row.add_prefix(&image);
                    if let Some(fix) = &r.fix {
                        let b = gtk::Button::builder()
                            .label(setup_text::fix_label(fix))
                            .tooltip_text(setup_text::fix_hint(fix))
                            .valign(gtk::Align::Center)
                            .build();
                        if r.verdict == Verdict::Fail {
                            b.add_css_class("suggested-action");
                        }
                        let s = sender.clone();
                        b.connect_clicked(move |_| s.input(SetupMsg::Apply(i)));
                        row.add_suffix(&b);
                        let hint = adw::ActionRow::builder().title_selectable(true).build();
                        crate::ui::widgets::set_plain_text(&hint, &setup_text::fix_hint(fix), None);
                        row.add_row(&hint);
                    }
                    if !r.details.is_empty() {
                        let details = adw::ActionRow::builder().subtitle_selectable(true).build();
                        crate::ui::widgets::set_plain_text(
                            &details,
                            &gettext("Details"),
                            Some(&r.details),
                        );
                        row.add_row(&details);
                    }
                    widgets.group.add(&row);
                    widgets.rows.push(row);
                }
                let worst = self
                    .results
                    .iter()
                    .map(|r| r.verdict)
                    .max()
                    .unwrap_or(Verdict::Pass);
                widgets.summary.set_label(&match worst {
                    Verdict::Pass | Verdict::Info => {
                        gettext("This computer is ready for virtual machines.")
                    }
                    Verdict::Warning => gettext(
                        "This computer can run virtual machines; some things could be better.",
                    ),
                    Verdict::Fail => {
                        gettext("Some things must be fixed before virtual machines can run.")
                    }
                });
                if quiet && worst == Verdict::Fail {
                    self.present(dialog);
                }
                self.only_if_problems = false;
            }
        }
        widgets.spinner.set_spinning(self.running);
        widgets.spinner.set_visible(self.running);
        widgets.again.set_sensitive(!self.running);
    }
}

/// Says why a fix did not work; without pkexec, copies the command to run by hand.
fn report_fix_error(widgets: &SetupWidgets, dialog: &adw::Dialog, error: FixError) {
    let text = match error {
        FixError::Failed(raw) => gettext_f("The fix did not work: {error}", &[("error", &raw)]),
        FixError::NoPkexec(cmd) => {
            dialog.clipboard().set_text(&cmd);
            gettext_f(
                "Bilik cannot ask for the administrator password here (pkexec is not installed). The command was copied: run “{command}” in a terminal.",
                &[("command", &cmd)],
            )
        }
    };
    let toast = adw::Toast::builder()
        .custom_title(&crate::ui::widgets::wrapped_title(&text))
        .timeout(0)
        .build();
    widgets.toasts.add_toast(toast);
}
