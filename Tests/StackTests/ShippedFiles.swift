import Foundation
import TestSupport

/// Paths of the files that ship beside the binary.
enum ShippedFiles {
    static let root = Programs.repositoryRoot
}
