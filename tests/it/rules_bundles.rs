//! Whole bundles kept as data (`tests/fixtures/bundles/*.bundle`, see
//! `support::bundles`): folders, zips and single files, each firing the
//! rule its name and first line give. Together with the `.case` files they
//! make the project's own fixtures fire every documented rule
//! (`rules_coverage`).

use crate::support::bundles::BundleFixture;
use crate::support::snapshot_each_fixture;

#[test]
fn every_bundle_fixture_fires_its_rule() {
    snapshot_each_fixture!("../fixtures/bundles", "*.bundle", "bundles", |path| {
        BundleFixture::read(path).check()
    });
}
