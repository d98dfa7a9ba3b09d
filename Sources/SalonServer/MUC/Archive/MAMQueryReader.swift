import SalonStore
import XMPPCore

/// A MAM query element read exactly as the rooms and the search service read it, for callers
/// outside the server (the fuzz targets in SalonFuzzTargets).
public enum MAMQueryReader {
    public static func archiveQuery(_ element: XMLElement, rooms: [String], searchFields: Bool) throws(StanzaError) -> ArchiveQuery {
        try MAMRequest(element, rooms: rooms, searchFields: searchFields).query
    }
}
