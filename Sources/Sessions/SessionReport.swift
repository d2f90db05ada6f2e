import Foundation

/// A session as one self-contained HTML page: the turns, each call and observation, the answers, and every
/// image and mask inline (PNG data URIs).
public enum SessionReport {
    public static func html(_ log: SessionLog) -> String {
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
                .replacingOccurrences(of: "\"", with: "&quot;")
        }
        func figure(_ handle: String) -> String {
            guard let a = log.artifacts[handle] else { return "" }
            return "<figure id=\"\(esc(handle))\"><img alt=\"\(esc(handle))\" src=\"data:image/png;base64,\(Data(a.png).base64EncodedString())\">"
                + "<figcaption>\(esc(handle)) (\(a.kind))</figcaption></figure>"
        }
        var body = "<h1>Loupe session \(esc(log.id))</h1><p class=\"meta\">\(esc(log.created)) · planner \(esc(log.model))</p>"
        if log.artifacts["img0"] != nil { body += "<section class=\"input\">\(figure("img0"))</section>" }
        for turn in log.turns {
            body += "<section class=\"turn\"><h2>Turn \(turn.index)</h2><p class=\"user\"><b>User:</b> \(esc(turn.instruction))</p>"
            for s in turn.steps {
                switch s.kind {
                case "call": body += "<p class=\"call\">→ <code>\(esc(s.tool ?? "?")) \(esc(s.arguments?.compactDescription ?? "{}"))</code></p>"
                case "observation":
                    body += "<pre class=\"observation\(s.error == nil ? "" : " error")\">\(esc(s.observation ?? ""))</pre>"
                    let made = (s.observation ?? "").split(separator: "\n").compactMap { line -> String? in
                        let h = line.split(separator: ":").first.map(String.init) ?? ""
                        return log.artifacts[h] != nil && h != "img0" ? h : nil
                    }
                    if !made.isEmpty { body += "<div class=\"images\">" + made.map(figure).joined() + "</div>" }
                case "error": body += "<p class=\"error\">\(esc(s.text))</p>"
                case "answer": body += "<p class=\"answer\"><b>Answer:</b> \(esc(s.text))</p>"
                default: break
                }
            }
            body += "</section>"
        }
        let style = """
            body{font:15px/1.45 system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}
            figure{display:inline-block;margin:.5em}img{max-width:28em;max-height:22em;border:1px solid #ccc}
            pre{background:#f5f5f5;padding:.5em;white-space:pre-wrap}.error{color:#a00}.answer{background:#eef6ee;padding:.5em}
            .meta,figcaption{color:#666;font-size:90%}code{background:#f0f0f0}
            """
        return "<!doctype html><html><head><meta charset=\"utf-8\"><title>Loupe session \(esc(log.id))</title><style>\(style)</style></head><body>\(body)</body></html>\n"
    }
}
