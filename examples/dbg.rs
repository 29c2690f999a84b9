use polars::prelude::*;
fn main() {
    let ws = gwq::workspace::Workspace::load(std::path::Path::new("/tmp/d1")).unwrap();
    let t = gwq::ingest::load_table(&ws, gwq::tables::Table::Samples).unwrap();
    let p: gwq::period::Period = "2025Q3".parse().unwrap();
    let f = col("time").gt_eq(gwq::frame::lit_time(p.start_time()));
    println!("a {:?}", t.frame.clone().select([len().alias("n")]).collect().map(|d| d.height()));
    println!("b {:?}", t.frame.clone().filter(f.clone()).select([len().alias("n")]).collect().map(|d| d.height()));
    let one = LazyFrame::scan_parquet(PlRefPath::new(format!("/tmp/d1/.gwq/{}", t.files[0].cache_file).as_str()), ScanArgsParquet::default()).unwrap();
    println!("c {:?}", one.clone().filter(f.clone()).select([len().alias("n")]).collect().map(|d| d.height()));
    println!("d {:?}", one.clone().select([col("time").min(), col("time").max()]).collect());
    let f2 = col("time").gt_eq(lit(gwq::frame::millis(p.start_time()))
        .cast(DataType::Datetime(TimeUnit::Milliseconds, None)));
    println!("e {:?}", one.clone().filter(f2).select([len().alias("n")]).collect().map(|d| d.height()));
    println!("f {:?}", one.clone().with_column(lit(1u32).strict_cast(DataType::UInt32).alias("_src")).filter(f.clone()).select([len().alias("n")]).collect().map(|d| d.height()));
}
