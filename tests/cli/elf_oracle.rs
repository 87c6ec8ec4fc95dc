//! (filled by the elf_oracle tests)
