//! Symbol versioning: `.gnu.version` (versym) and `.gnu.version_r` (verneed).

use goblin::elf::symver::{VERSYM_VERSION, VER_NDX_GLOBAL};
use goblin::elf::Elf;

/// Symbol version lookup: versym index → (version name, needed file).
pub(super) struct VersionTable {
    /// `vna_other` index → (version, file)
    by_index: Vec<Option<(String, String)>>,
    versym: Vec<u16>,
    /// Every (file, version) pair of the version-needed section, in file order.
    pub(super) needs: Vec<(String, String)>,
}

impl VersionTable {
    pub(super) fn new(elf: &Elf<'_>) -> Self {
        let mut by_index: Vec<Option<(String, String)>> = Vec::new();
        let mut needs = Vec::new();
        if let Some(vn) = &elf.verneed {
            for need in vn.iter() {
                let file =
                    super::until_nul(elf.dynstrtab.get_at(need.vn_file).unwrap_or("")).to_owned();
                for aux in need.iter() {
                    let name = super::until_nul(elf.dynstrtab.get_at(aux.vna_name).unwrap_or(""))
                        .to_owned();
                    let idx = usize::from(aux.vna_other & VERSYM_VERSION);
                    if idx >= by_index.len() {
                        by_index.resize(idx + 1, None);
                    }
                    by_index[idx] = Some((name.clone(), file.clone()));
                    needs.push((file.clone(), name));
                }
            }
        }
        let versym = elf
            .versym
            .as_ref()
            .map(|v| v.iter().map(|x| x.vs_val).collect())
            .unwrap_or_default();
        VersionTable {
            by_index,
            versym,
            needs,
        }
    }

    /// (version, needed file) of dynamic symbol `sym_index`; `None`s when unversioned.
    pub(super) fn of_symbol(&self, sym_index: usize) -> (Option<String>, Option<String>) {
        let Some(v) = self.versym.get(sym_index) else {
            return (None, None);
        };
        let idx = usize::from(v & VERSYM_VERSION);
        // VER_NDX_LOCAL or VER_NDX_GLOBAL: unversioned
        if idx <= usize::from(VER_NDX_GLOBAL) {
            return (None, None);
        }
        match self.by_index.get(idx) {
            Some(Some((name, file))) => (Some(name.clone()), Some(file.clone())),
            _ => (None, None),
        }
    }
}
