//! The machine a panel or tab shows, with the connection it is on, and how the panel asks
//! that connection: [`MachineTarget::ask`] runs a plain backend function on the
//! connection's thread (see [`Connection::call`]) and hands the answer back to the same
//! panel as a command, tagged with the machine it was for — so an answer that arrives
//! after the person picked another machine is recognised and dropped.

use relm4::{Component, ComponentSender};
use virt::connect::Connect;

use crate::backend::{BackendError, Connection};

/// A machine to show: the connection it is on, its UUID and (for sentences) its name.
#[derive(Debug, Clone)]
pub struct Machine {
    pub connection: Connection,
    pub uuid: String,
    pub name: String,
}

/// The machine shown, if any.
#[derive(Debug, Default, Clone)]
pub struct MachineTarget(Option<Machine>);

impl MachineTarget {
    pub fn new(target: Option<Machine>) -> Self {
        MachineTarget(target)
    }

    /// Whether `uuid` is the machine shown.
    pub fn is(&self, uuid: &str) -> bool {
        self.0.as_ref().is_some_and(|m| m.uuid == uuid)
    }

    /// The machine shown, with its connection.
    pub fn machine(&self) -> Option<&Machine> {
        self.0.as_ref()
    }

    pub fn uuid(&self) -> Option<&str> {
        self.0.as_ref().map(|m| m.uuid.as_str())
    }

    /// The machine's name (as it was when it was shown).
    pub fn name(&self) -> &str {
        self.0.as_ref().map_or("", |m| m.name.as_str())
    }

    /// Says how a change to the shown machine went, in the window `widget` is in: "Saved."
    /// (or when it takes effect), or why not.
    pub fn say_saved(
        &self,
        widget: &impl gtk::prelude::IsA<gtk::Widget>,
        result: Result<crate::backend::definition::Saved, BackendError>,
    ) {
        match result {
            Ok(saved) => crate::ui::widgets::toast(widget, &crate::errors::saved(&saved)),
            Err(e) => crate::ui::widgets::toast_error(
                widget,
                crate::errors::change_error(self.name(), &e),
            ),
        }
    }

    /// Runs `f(connection, uuid)` on the connection's thread; its answer comes back to the
    /// panel as the command `answer(uuid, result)`. Nothing happens with no machine shown.
    pub fn ask<C, T, F, A>(&self, sender: &ComponentSender<C>, f: F, answer: A)
    where
        C: Component,
        C::CommandOutput: Send + 'static,
        T: Send + 'static,
        F: FnOnce(&Connect, &str) -> Result<T, BackendError> + Send + 'static,
        A: FnOnce(String, Result<T, BackendError>) -> C::CommandOutput + Send + 'static,
    {
        if let Some(Machine {
            connection: conn,
            uuid,
            ..
        }) = self.0.clone()
        {
            sender.oneshot_command(async move {
                let u = uuid.clone();
                let result = conn.call(move |c| f(c, &u)).await;
                answer(uuid, result)
            });
        }
    }
}

/// Runs `f(connection)` on the connection's thread (for screens about the connection as a
/// whole: storage, networks); its answer comes back as the command `answer(result)`. With
/// no connection the answer is "not connected", at once.
pub fn ask_on<C, T, F, A>(conn: Option<&Connection>, sender: &ComponentSender<C>, f: F, answer: A)
where
    C: Component,
    C::CommandOutput: Send + 'static,
    T: Send + 'static,
    F: FnOnce(&Connect) -> Result<T, BackendError> + Send + 'static,
    A: FnOnce(Result<T, BackendError>) -> C::CommandOutput + Send + 'static,
{
    let conn = conn.cloned();
    sender.oneshot_command(async move {
        match conn {
            Some(c) => answer(c.call(f).await),
            None => answer(Err(BackendError::not_connected())),
        }
    });
}
