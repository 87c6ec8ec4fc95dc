# Sourced by the benchmark scripts that time with hyperfine: installs it from the
# distribution's archive when it is missing (Debian/Ubuntu: apt-get, sudo unless root).
if ! command -v hyperfine >/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then
        apt-get install -y -qq --no-install-recommends hyperfine >/dev/null
    else
        sudo apt-get install -y -qq --no-install-recommends hyperfine >/dev/null
    fi
fi
