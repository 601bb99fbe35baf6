// SandboxFiles resolves every path beneath the home or /tmp of the sandbox's
// root without following links. The test process is its own "sandbox": its
// /proc/self/root is /, so "/tmp/<dir>/x" names the host's /tmp/<dir>/x.
#include "supervisor/session/sandbox_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <functional>

#include "supervisor/base/error.h"

using namespace deskbox;

namespace {

struct Dirs {
    std::filesystem::path host;  // /tmp/deskbox-files-test-XXXXXX
    std::string inside;          // the same as a sandbox path ("/tmp/deskbox-files-test-XXXXXX")
    std::filesystem::path out;
    Dirs() {
        char tmpl[] = "/tmp/deskbox-files-test-XXXXXX";
        BOOST_REQUIRE(mkdtemp(tmpl));
        host = tmpl;
        inside = tmpl;
        out = host / "out";
        std::filesystem::create_directory(out);
    }
    ~Dirs() {
        std::error_code ec;
        std::filesystem::remove_all(host, ec);
    }
};

SandboxFiles files() {
    return SandboxFiles(getpid(), geteuid(), getegid());
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

std::string content(const std::filesystem::path& p) {
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sandbox_files)

BOOST_AUTO_TEST_CASE(write_then_copy_out_with_the_same_digest) {
    Dirs d;
    const FileDigest w = files().write(d.inside + "/in.txt", "abc");
    BOOST_TEST(w.size == 3u);
    BOOST_TEST(w.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    struct stat st {};
    BOOST_REQUIRE(stat((d.host / "in.txt").c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0644u);
    // Replacing a file of the owner truncates it.
    files().write(d.inside + "/in.txt", "x");
    BOOST_TEST(content(d.host / "in.txt") == "x");
    const FileDigest c = files().copy_out(d.inside + "/in.txt", d.out / "copy", 100);
    BOOST_TEST(c.size == 1u);
    BOOST_TEST(content(d.out / "copy") == "x");
    BOOST_TEST(files().read(d.inside + "/in.txt", 10) == "x");
}

BOOST_AUTO_TEST_CASE(a_planted_symlink_is_not_followed) {
    Dirs d;
    std::ofstream(d.host / "secret") << "host secret";
    std::filesystem::create_symlink(d.host / "secret", d.host / "link.ods");
    std::filesystem::create_directory_symlink(d.host, d.host / "dirlink");
    const std::string why = ": a symbolic link is on the way (links are not followed)";
    BOOST_TEST(error_of([&] { files().copy_out(d.inside + "/link.ods", d.out / "c1", 100); }) ==
               "opening " + d.inside + "/link.ods" + why);
    BOOST_TEST(error_of([&] { files().copy_out(d.inside + "/dirlink/secret", d.out / "c2", 100); }) ==
               "opening " + d.inside + "/dirlink/secret" + why);
    BOOST_TEST(!std::filesystem::exists(d.out / "c1"));
    // Writing through a link is refused too, and the target keeps its content.
    BOOST_TEST(error_of([&] { files().write(d.inside + "/link.ods", "overwritten"); }) ==
               "writing " + d.inside + "/link.ods" + why);
    BOOST_TEST(error_of([&] { files().write(d.inside + "/dirlink/new", "x"); }) ==
               "opening the folder of " + d.inside + "/dirlink/new" + why);
    BOOST_TEST(content(d.host / "secret") == "host secret");
}

BOOST_AUTO_TEST_CASE(caps_shapes_and_kinds) {
    Dirs d;
    std::ofstream(d.host / "big") << std::string(1000, 'x');
    BOOST_TEST(error_of([&] { files().copy_out(d.inside + "/big", d.out / "b", 999); }) ==
               "collecting " + d.inside + "/big: 1000 bytes, more than the 999 allowed");
    BOOST_TEST(!std::filesystem::exists(d.out / "b"));
    BOOST_TEST(error_of([&] { files().copy_out(d.inside + "/out", d.out / "o", 999); }) ==
               "opening " + d.inside + "/out: not a regular file");
    BOOST_TEST(error_of([&] { files().write(d.inside + "/../etc/x", "x"); }) ==
               "sandbox path '" + d.inside + "/../etc/x': '..' is not allowed");
    BOOST_TEST(error_of([&] { files().write(d.inside + "/nofolder/x", "x"); }) ==
               "opening the folder of " + d.inside + "/nofolder/x: No such file or directory");
    BOOST_TEST(error_of([&] { files().read(d.inside + "/big", 10); }) ==
               "reading " + d.inside + "/big in the sandbox: larger than 10 bytes");
    const auto names = files().list_folder(d.inside);
    BOOST_TEST(names.size() == 2u);
    BOOST_TEST(names[0] == "big");
    BOOST_TEST(names[1] == "out");
}

BOOST_AUTO_TEST_SUITE_END()
