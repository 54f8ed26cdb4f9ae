// The build imports a stylesheet as its minified text.
declare module "*.css" {
  const css: string;
  export default css;
}
