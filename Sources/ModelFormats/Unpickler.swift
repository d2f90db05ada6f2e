/// A minimal unpickler for the opcodes PyTorch's legacy (non-zip) `torch.save` files use (protocol 2,
/// plus the common protocol 3/4 opcodes). It builds `PickleValue`s and never executes anything: globals
/// stay names, calls stay records. Stack, memo and lengths are all bounds-checked.
struct Unpickler {
    var reader: BinaryReader
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]
    static let format = "pytorch pickle"

    init(reader: BinaryReader) { self.reader = reader }

    private func fail(_ reason: String) -> ModelFormatError {
        .invalidField(format: Self.format, field: "pickle at offset \(reader.offset)", reason: reason)
    }

    private mutating func pop() throws -> PickleValue {
        guard let v = stack.popLast() else { throw fail("stack underflow") }
        if let m = marks.last, stack.count < m { throw fail("stack popped past a mark") }
        return v
    }

    private mutating func popMark() throws -> [PickleValue] {
        guard let m = marks.popLast(), m <= stack.count else { throw fail("no mark") }
        let items = Array(stack[m...])
        stack.removeLast(stack.count - m)
        return items
    }

    private mutating func readLine() throws -> String {
        var bytes: [UInt8] = []
        while true {
            let b = try reader.readU8("pickle text")
            if b == 0x0A { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(b)
            guard bytes.count < 4096 else { throw fail("text line too long") }
        }
    }

    private mutating func length(_ n: UInt64) throws -> Int {
        guard n <= UInt64(reader.remaining) else {
            throw ModelFormatError.truncated(format: Self.format, field: "pickle string", offset: UInt64(reader.offset), needed: n,
                                             available: UInt64(reader.remaining))
        }
        return Int(n)
    }

    private mutating func setItems(_ target: PickleValue, _ items: [PickleValue]) throws {
        guard items.count % 2 == 0 else { throw fail("odd number of dict items") }
        let dict: PickleDict
        switch target {
        case let .dict(d): dict = d
        case let .call(c):
            // OrderedDict() and similar dict subclasses.
            if case let .dict(d)? = c.state { dict = d } else {
                let d = PickleDict()
                c.state = .dict(d)
                dict = d
            }
        default: throw fail("SETITEMS on a non-dict")
        }
        for i in stride(from: 0, to: items.count, by: 2) { dict.pairs.append((items[i], items[i + 1])) }
    }

    /// Reads one pickle (up to STOP) and returns its value.
    mutating func load() throws -> PickleValue {
        stack = []
        marks = []
        memo = [:]
        while true {
            let op = try reader.readU8("pickle opcode")
            switch op {
            case 0x80: _ = try reader.readU8("protocol")                                   // PROTO
            case 0x95: _ = try reader.readU64("frame size")                                // FRAME
            case 0x2E: return try pop()                                                     // STOP
            case 0x28: marks.append(stack.count)                                           // MARK
            case 0x4E: stack.append(.none)                                                 // NONE
            case 0x88: stack.append(.bool(true))                                           // NEWTRUE
            case 0x89: stack.append(.bool(false))                                          // NEWFALSE
            case 0x4A: stack.append(.int(Int64(Int32(bitPattern: try reader.readU32("BININT")))))
            case 0x4B: stack.append(.int(Int64(try reader.readU8("BININT1"))))
            case 0x4D: stack.append(.int(Int64(try reader.readU16("BININT2"))))
            case 0x8A:                                                                      // LONG1
                let n = Int(try reader.readU8("LONG1 length"))
                let bytes = try reader.readBytes(n, "LONG1")
                guard n <= 8 else { stack.append(.bytes(bytes)); break }  // only magic numbers are this long
                var v: UInt64 = 0
                for (i, b) in bytes.enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
                if n > 0, n < 8, bytes[n - 1] & 0x80 != 0 { v |= ~UInt64(0) << (8 * UInt64(n)) }
                stack.append(.int(Int64(bitPattern: v)))
            case 0x47: stack.append(.float(Double(bitPattern: UInt64(bigEndianBytes: try reader.readBytes(8, "BINFLOAT")))))
            case 0x58: stack.append(.string(try reader.readString(try length(UInt64(try reader.readU32("BINUNICODE length"))), "BINUNICODE")))
            case 0x8C: stack.append(.string(try reader.readString(try length(UInt64(try reader.readU8("SHORT_BINUNICODE length"))), "SHORT_BINUNICODE")))
            case 0x8D: stack.append(.string(try reader.readString(try length(try reader.readU64("BINUNICODE8 length")), "BINUNICODE8")))
            case 0x54: stack.append(.bytes(try reader.readBytes(try length(UInt64(try reader.readU32("BINSTRING length"))), "BINSTRING")))
            case 0x55: stack.append(.bytes(try reader.readBytes(try length(UInt64(try reader.readU8("SHORT_BINSTRING length"))), "SHORT_BINSTRING")))
            case 0x42: stack.append(.bytes(try reader.readBytes(try length(UInt64(try reader.readU32("BINBYTES length"))), "BINBYTES")))
            case 0x43: stack.append(.bytes(try reader.readBytes(try length(UInt64(try reader.readU8("SHORT_BINBYTES length"))), "SHORT_BINBYTES")))
            case 0x29: stack.append(.tuple([]))                                            // EMPTY_TUPLE
            case 0x74: stack.append(.tuple(try popMark()))                                 // TUPLE
            case 0x85: stack.append(.tuple([try pop()]))                                   // TUPLE1
            case 0x86: let b = try pop(), a = try pop(); stack.append(.tuple([a, b]))      // TUPLE2
            case 0x87: let c = try pop(), b = try pop(), a = try pop(); stack.append(.tuple([a, b, c]))
            case 0x5D: stack.append(.list(PickleList()))                                   // EMPTY_LIST
            case 0x6C: let l = PickleList(); l.items = try popMark(); stack.append(.list(l)) // LIST
            case 0x7D: stack.append(.dict(PickleDict()))                                   // EMPTY_DICT
            case 0x64:                                                                      // DICT
                let items = try popMark()
                let d = PickleDict()
                stack.append(.dict(d))
                try setItems(.dict(d), items)
            case 0x61:                                                                      // APPEND
                let v = try pop()
                guard case let .list(l)? = stack.last else { throw fail("APPEND to a non-list") }
                l.items.append(v)
            case 0x65:                                                                      // APPENDS
                let items = try popMark()
                guard case let .list(l)? = stack.last else { throw fail("APPENDS to a non-list") }
                l.items += items
            case 0x73:                                                                      // SETITEM
                let v = try pop(), k = try pop()
                guard let target = stack.last else { throw fail("SETITEM without a dict") }
                try setItems(target, [k, v])
            case 0x75:                                                                      // SETITEMS
                let items = try popMark()
                guard let target = stack.last else { throw fail("SETITEMS without a dict") }
                try setItems(target, items)
            case 0x63:                                                                      // GLOBAL
                let module = try readLine(), name = try readLine()
                stack.append(.global(module: module, name: name))
            case 0x93:                                                                      // STACK_GLOBAL
                let name = try pop(), module = try pop()
                guard let n = name.stringValue, let m = module.stringValue else { throw fail("STACK_GLOBAL needs strings") }
                stack.append(.global(module: m, name: n))
            case 0x52, 0x81:                                                                // REDUCE, NEWOBJ
                let args = try pop(), callable = try pop()
                guard let list = args.tupleValue else { throw fail("call arguments are not a tuple") }
                if case let .global(m, n) = callable, m == "collections", n == "OrderedDict" || n == "defaultdict" {
                    stack.append(.dict(PickleDict()))
                } else {
                    stack.append(.call(PickleCall(callable: callable, arguments: list)))
                }
            case 0x62:                                                                      // BUILD
                let state = try pop()
                if case let .call(c)? = stack.last, c.state == nil { c.state = state }
            case 0x51: stack.append(.persistent(try pop()))                                // BINPERSID
            case 0x71: memo[Int(try reader.readU8("BINPUT"))] = try top()                  // BINPUT
            case 0x72: memo[Int(try reader.readU32("LONG_BINPUT"))] = try top()            // LONG_BINPUT
            case 0x94: memo[memo.count] = try top()                                        // MEMOIZE
            case 0x68: stack.append(try memoValue(Int(try reader.readU8("BINGET"))))       // BINGET
            case 0x6A: stack.append(try memoValue(Int(try reader.readU32("LONG_BINGET")))) // LONG_BINGET
            case 0x30: _ = try pop()                                                       // POP
            case 0x32: stack.append(try top())                                             // DUP
            default:
                throw ModelFormatError.unsupported(format: Self.format, feature: "pickle opcode 0x\(String(op, radix: 16)) at offset \(reader.offset - 1)")
            }
            guard stack.count <= 1_000_000, marks.count <= 100_000 else { throw fail("stack too deep") }
        }
    }

    private func top() throws -> PickleValue {
        guard let v = stack.last else { throw fail("memo store on an empty stack") }
        return v
    }

    private func memoValue(_ i: Int) throws -> PickleValue {
        guard let v = memo[i] else { throw fail("memo \(i) is not set") }
        return v
    }
}

extension UInt64 {
    init(bigEndianBytes b: [UInt8]) {
        var v: UInt64 = 0
        for x in b { v = v << 8 | UInt64(x) }
        self = v
    }
}
