#include "supervisor/console/pages.h"
#include "supervisor/console/web_text.h"

namespace deskbox::console {

std::string page_layout(const std::string& title, const PageContext* who, const std::string& body) {
    std::string out =
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>" +
        html_escape(title) +
        " · deskbox console</title>"
        "<link rel=\"stylesheet\" href=\"/static/console.css\"></head><body>"
        "<header><a class=\"brand\" href=\"/\">deskbox console</a>";
    if (who) {
        out += "<span class=\"who\">reviewer <b>" + html_escape(who->reviewer) +
               "</b></span>"
               "<form method=\"post\" action=\"/logout\" class=\"inline\">"
               "<input type=\"hidden\" name=\"csrf\" value=\"" +
               html_escape(who->csrf) +
               "\">"
               "<button type=\"submit\">Log out</button></form>";
    }
    out += "</header><main>" + body + "</main><script src=\"/static/console.js\"></script></body></html>\n";
    return out;
}

std::string login_page(const std::string& error) {
    std::string body = "<h1>Log in</h1>";
    if (!error.empty()) body += "<p class=\"error\" id=\"login-error\">" + html_escape(error) + "</p>";
    body +=
        "<form method=\"post\" action=\"/login\" class=\"login\">"
        "<label>Reviewer token <input type=\"password\" name=\"token\" autocomplete=\"off\" autofocus "
        "required></label> <button type=\"submit\">Log in</button></form>"
        "<p class=\"hint\">A token is made with <code>deskbox console token add NAME</code>.</p>";
    return page_layout("Log in", nullptr, body);
}

std::string message_page(const PageContext& who, const std::string& title, const std::string& text,
                         const std::string& back) {
    return page_layout(title, &who,
                       "<h1>" + html_escape(title) + "</h1><pre class=\"message\">" + html_escape(text) +
                           "</pre><p><a href=\"" + html_escape(back) + "\">Back</a></p>");
}

}  // namespace deskbox::console
