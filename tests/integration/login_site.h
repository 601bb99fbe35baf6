// A small sign-in site for the credential tests, on 127.0.0.1 (Boost.Beast):
// sessions reach it through their egress proxy with `resolve:` entries.
//
//   login.example/login     "Sign in": fields User, Password (password),
//                           Search (text), button "Sign in" (POST /login)
//   login.example/login     POST: the right user and password lead to "Runs"
//                           (text "Run 1234 passed", a text field Note, password
//                           fields "Deploy password" and "Admin password", link
//                           "Other site"); anything else to "Sign-in failed"
//   other.example/login     "Other sign in": fields Password (password) and Search (text), on
//                           another allowed domain
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>

namespace deskbox::test {

class LoginSite {
public:
    LoginSite(std::string user, std::string password);
    ~LoginSite();
    LoginSite(const LoginSite&) = delete;
    LoginSite& operator=(const LoginSite&) = delete;

    int port() const { return port_; }
    // How many sign-ins carried the right user and password, and how many did not.
    int good_logins() const;
    int bad_logins() const;

private:
    struct Impl;
    Impl* impl_;
    int port_ = 0;
};

}  // namespace deskbox::test
