//! Whole bundles kept as data (`tests/fixtures/bundles/*.bundle`, see
//! `support::bundles`): folders, zips and single files, each firing the
//! rule its name and first line give. Together with the `.case` files they
//! make the project's own fixtures fire every documented rule
//! (`rules_coverage`).

use crate::support::bundles::BundleFixture;

#[test]
fn every_bundle_fixture_fires_its_rule() {
    insta::with_settings!({
        snapshot_path => "snapshots/bundles",
        prepend_module_to_snapshot => false,
    }, {
        insta::glob!("../fixtures/bundles", "*.bundle", |path| {
            insta::assert_snapshot!("findings", BundleFixture::read(path).check());
        });
    });
}
