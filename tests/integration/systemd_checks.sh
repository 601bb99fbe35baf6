# systemd_checks.sh: named checks for the systemd_*_test.sh scripts. Each
# check prints "ok - NAME" or "FAIL - NAME"; a failure ends the test at once,
# since later steps depend on earlier ones. check_summary prints the plain
# closing line ("N passed, 0 failed").
CHECKS_PASSED=0

check() {
    local name=$1
    shift
    if "$@"; then
        CHECKS_PASSED=$((CHECKS_PASSED + 1))
        echo "ok - $name"
    else
        echo "FAIL - $name (command: $*)"
        echo "$CHECKS_PASSED passed, 1 failed"
        exit 1
    fi
}

check_summary() {
    echo "$CHECKS_PASSED passed, 0 failed"
}
